import { PassgrantError } from "../errors.js";

/** The error a command rejects with when the user interrupts it. */
export function abortedError(signal: AbortSignal): PassgrantError {
  const reason = typeof signal.reason === "string" ? signal.reason : "interrupted";
  return new PassgrantError("ERR_ABORTED", `Interrupted (${reason}).`);
}

/**
 * Settles with `promise`, or rejects as soon as `signal` aborts. For work that takes no signal of
 * its own (the token provider): the process stops waiting for it, so cleanup can start at once.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(abortedError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      reject(abortedError(signal));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
