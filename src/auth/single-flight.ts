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
