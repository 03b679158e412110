import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { mediaTypeOf as mediaTypeOfHeader } from "../spec/media-type.js";
import { apiProblem, codeForStatus } from "./errors.js";

/** Request bodies above this many bytes get 413. The largest valid body (a tenant image) is ~40 KB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * How much of an oversized body is read and thrown away before answering 413. Answering while the
 * client is still sending makes the kernel reset the connection, and most clients then report a
 * network error instead of the 413; draining a bounded amount lets them read the answer.
 */
const MAX_DISCARD_BYTES = 16 * MAX_BODY_BYTES;

/** The client went away mid-request; there is nobody to answer. */
export class ClientGoneError extends Error {
  constructor() {
    super("the client closed the connection");
    this.name = "ClientGoneError";
  }
}

/**
 * Reads a request body of at most `limit` bytes. Larger bodies are never buffered: they are
 * counted, discarded and answered with 413 (and the connection is closed).
 */
export async function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > MAX_DISCARD_BYTES) {
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > MAX_DISCARD_BYTES) break;
      if (received <= limit) chunks.push(chunk);
    }
  } catch {
    throw new ClientGoneError();
  }
  if (received > limit) throw tooLarge(limit);
  return Buffer.concat(chunks, received);
}

function tooLarge(limit: number) {
  return apiProblem(413, `request body is larger than the sandbox's limit of ${limit} bytes`, {
    headers: { connection: "close" },
  });
}

/** The media type of a request (`application/json`), lower-cased and without parameters. */
export function mediaTypeOf(request: IncomingMessage): string | undefined {
  return mediaTypeOfHeader(request.headers["content-type"]);
}

/** Writes a JSON response (or an empty one when `body` is undefined), unless the socket is gone. */
export function writeResponse(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  if (body === undefined) {
    response.writeHead(status, headers);
    response.end();
    return;
  }
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
    ...headers,
  });
  response.end(payload);
}

/**
 * Answers requests Node's HTTP parser rejected (a malformed request line, oversized headers, a
 * timeout) with the platform's JSON error body instead of Node's bare `400 Bad Request`.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    error.code === "HPE_HEADER_OVERFLOW"
      ? 431
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? 408
        : 400;
  const payload = JSON.stringify({
    code: codeForStatus(status),
    message:
      status === 431
        ? "request headers are too large"
        : status === 408
          ? "the request was not received in time"
          : "the request is not valid HTTP/1.1",
  });
  socket.end(
    `HTTP/1.1 ${status} ${status === 400 ? "Bad Request" : status === 408 ? "Request Timeout" : "Request Header Fields Too Large"}\r\n` +
      "content-type: application/json\r\n" +
      `content-length: ${Buffer.byteLength(payload)}\r\n` +
      "connection: close\r\n\r\n" +
      payload,
  );
}
