import type { Transform } from "node:stream";
import { nodeZlib } from "../lazy-builtins.js";

/**
 * The decoder for a response's `Content-Encoding`, as fetch applies it (gzip, x-gzip, deflate,
 * br), or undefined for none, identity, and codings passgrant does not decode (several codings
 * in a row, or one it does not know): those bodies are handed on as they came, as fetch does with
 * an unknown coding. Truncated gzip and deflate streams give what could be decoded, as in fetch.
 */
export function contentDecoder(contentEncoding: string | null | undefined): Transform | undefined {
  const coding = (contentEncoding ?? "").trim().toLowerCase();
  if (coding === "" || coding === "identity") return undefined;
  const zlib = nodeZlib();
  const lenient = {
    flush: zlib.constants.Z_SYNC_FLUSH,
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
  };
  if (coding === "gzip" || coding === "x-gzip") return zlib.createGunzip(lenient);
  if (coding === "deflate") return zlib.createInflate(lenient);
  if (coding === "br") {
    return zlib.createBrotliDecompress({
      flush: zlib.constants.BROTLI_OPERATION_FLUSH,
      finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
    });
  }
  return undefined;
}
