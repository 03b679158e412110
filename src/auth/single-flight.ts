/**
 * Shares one in-flight run of `fn` among all callers: while a run is pending, further calls get
 * the same promise. Many concurrent requests on a cold start make one token request, and a
 * one-time refresh token is never spent twice by the same process.
 */
export function singleFlight<T>(fn: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    if (!inFlight) {
      inFlight = fn().finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  };
}

/**
 * Runs `fn` once and keeps its result; a failure is not kept, so the next call tries again
 * (a metadata document that was briefly unreachable is not remembered as missing).
 */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => {
    result ??= fn().catch((error: unknown) => {
      result = undefined;
      throw error;
    });
    return result;
  };
}
