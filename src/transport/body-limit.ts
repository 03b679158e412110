/**
 * The default cap on one API response body: far above any page of the platform's listings, far
 * below what would hurt a CLI or a service. The token endpoint has its own, smaller cap (1 MiB).
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * The same response with a body that errors with `exceeded()` once more than `maxBytes` have been
 * read from it, and cancels the original body then (which releases the connection). Used where
 * the bytes cannot be counted as they arrive from the socket: a decompressed body (`fetch`
 * decompresses gzip, deflate and br after the dispatcher, so a few KiB on the wire can be GiBs
 * here) or a response from a test double that never dispatched.
 *
 * The copy reads one chunk per pull (highWaterMark 0), so it buffers nothing of its own.
 */
export function limitBody(response: Response, maxBytes: number, exceeded: () => Error): Response {
  const source = response.body;
  if (source === null) return response;
  const reader = source.getReader();
  let received = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        received += value.byteLength;
        if (received > maxBytes) {
          const error = exceeded();
          controller.error(error);
          await reader.cancel(error).catch(() => undefined);
          return;
        }
        controller.enqueue(value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const limited = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // A constructed Response has no URL; callers use it in messages (httpErrorFromResponse).
  Object.defineProperties(limited, {
    url: { value: response.url },
    redirected: { value: response.redirected },
  });
  return limited;
}
