import { AbortedError } from "../transport/aborted-error.js";

/**
 * The error a command rejects with when the user interrupts it: the run's own `AbortedError`
 * (main.ts aborts with one saying why), or a new one without a request target.
 */
export function abortedError(signal: AbortSignal): AbortedError {
  if (signal.reason instanceof AbortedError) return signal.reason;
  return new AbortedError(typeof signal.reason === "string" ? { reason: signal.reason } : {});
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

/**
 * Runs `work` with a signal of its own that follows `signal`, and unhooks it afterwards. For
 * a loop of requests on one long-lived signal: each `Request` made with a signal hooks an abort
 * listener onto it that is only dropped when the Request is garbage-collected, so a listing of
 * thousands of pages piled up listeners (and MaxListenersExceededWarning lines). Here the
 * long-lived signal carries one listener at a time.
 */
export async function withChildSignal<T>(
  signal: AbortSignal,
  work: (child: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await work(controller.signal);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
