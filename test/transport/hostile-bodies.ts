import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";

/**
 * Real node:http servers on 127.0.0.1 whose API answers are hostile bodies. Each also answers
 * the token endpoint, so the CLI can be pointed at one server. Every body is bounded (a cap far
 * above what passgrant may read) so a regression cannot take the machine down.
 */
export interface HostileServer {
  url: string;
  /** Body bytes handed to the socket so far (before compression for the gzip bomb: its input). */
  readonly produced: () => number;
  /** Resolves when the client closed the connection that carried the hostile body. */
  readonly bodySocketClosed: Promise<void>;
  close(): Promise<void>;
}

export type HostileBody =
  /** Chunked, no Content-Length, 64 KiB chunks until the client leaves (cap 1 GiB). */
  | { kind: "endless" }
  /** A declared Content-Length body of `bytes`. */
  | { kind: "sized"; bytes: number }
  /** `Content-Encoding: gzip` of `bytes` zeros, compressed on the fly (about 1000:1). */
  | { kind: "gzip-bomb"; bytes: number };

const CHUNK = 64 * 1024;
const ENDLESS_CAP = 1024 * 1024 * 1024;

export async function startHostileServer(body: HostileBody): Promise<HostileServer> {
  let produced = 0;
  let onBodyClosed: () => void = () => undefined;
  const bodySocketClosed = new Promise<void>((resolve) => {
    onBodyClosed = resolve;
  });
  /** `total` bytes of JSON-ish filler, in 64 KiB chunks, produced only as fast as they are read. */
  const filler = (total: number) => {
    const chunk = Buffer.alloc(CHUNK, 0x20);
    chunk.write("[");
    let left = total;
    return new Readable({
      read() {
        if (left <= 0) {
          this.push(null);
          return;
        }
        const size = Math.min(CHUNK, left);
        left -= size;
        produced += size;
        this.push(size === CHUNK ? chunk : chunk.subarray(0, size));
      },
    });
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    if (request.method === "POST" && request.url?.startsWith("/idm/v2/token")) {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(
        JSON.stringify({
          access_token: "hostile-access-token",
          token_type: "bearer",
          expires_in: 3600,
        }),
      );
      return;
    }
    response.socket?.once("close", () => onBodyClosed());
    let source: Readable;
    if (body.kind === "endless") {
      response.writeHead(200, { "Content-Type": "application/json" });
      source = filler(ENDLESS_CAP);
    } else if (body.kind === "sized") {
      response.writeHead(200, {
        "Content-Type": "application/json",
        "Content-Length": String(body.bytes),
      });
      source = filler(body.bytes);
    } else {
      response.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
      source = filler(body.bytes).pipe(createGzip({ level: 9 }));
    }
    source.on("error", () => undefined);
    source.pipe(response);
    response.on("close", () => source.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    produced: () => produced,
    bodySocketClosed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
