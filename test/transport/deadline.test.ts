import { getEventListeners } from "node:events";
import type { ServerResponse } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { TimeoutError } from "../../src/transport/timeout-error.js";
import { createTransport, type Transport } from "../../src/transport/transport.js";
import { type LocalServer, startServer } from "./local-server.js";

// timeoutMs covers the headers and the body, over real sockets on 127.0.0.1.
let server: LocalServer;
/** Responses whose body was started but not finished, by path. */
const stalled = new Map<string, ServerResponse>();

beforeAll(async () => {
  server = await startServer((request, _body, response) => {
    const path = request.url ?? "";
    if (path === "/hop") {
      response.writeHead(302, { Location: "/stall" });
      response.end();
      return;
    }
    if (path === "/stall" || path === "/held") {
      response.writeHead(200, { "Content-Type": "text/plain" });
      response.write("first half, ");
      stalled.set(path, response);
      return;
    }
    response.writeHead(200, { "Content-Type": "text/plain" });
    response.end("whole body");
  });
  // The first request loads undici (tens of ms, far more on a loaded machine), inside the
  // deadline: do it here so the short timeouts below measure the exchange only.
  const warm = createTransport();
  await (await warm.fetch(new Request(`${server.url}/whole`))).text();
  await warm.close();
});
afterAll(() => server.close());

let transport: Transport | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  for (const response of stalled.values()) response.destroy();
  stalled.clear();
  await transport?.close();
  transport = undefined;
});

describe("the transport's timeout", () => {
  it("fires while the body is being read, as a TimeoutError from the body", async () => {
    transport = createTransport({ timeoutMs: 150 });
    const response = await transport.fetch(new Request(`${server.url}/stall`));
    expect(response.status).toBe(200);
    const error = await response.text().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: "ERR_TIMEOUT", method: "GET", timeoutMs: 150 });
    expect((error as Error).message).toContain(`${server.url}/stall`);
  });

  it("keeps running across a redirect that fetch follows", async () => {
    transport = createTransport({ timeoutMs: 150 });
    const response = await transport.fetch(new Request(`${server.url}/hop`));
    expect(response.redirected).toBe(true);
    await expect(response.text()).rejects.toBeInstanceOf(TimeoutError);
  });

  it("is released once the body has arrived, and never keeps the process alive", async () => {
    const timeoutMs = 43_210; // a delay no one else uses, to find this timer among undici's
    const setSpy = vi.spyOn(globalThis, "setTimeout");
    const clearSpy = vi.spyOn(globalThis, "clearTimeout");
    transport = createTransport({ timeoutMs });
    const request = new Request(`${server.url}/held`, { signal: new AbortController().signal });
    const response = await transport.fetch(request);

    const index = setSpy.mock.calls.findIndex((call) => call[1] === timeoutMs);
    const timer = setSpy.mock.results[index]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    // Body still arriving: the timer runs and the caller's signal is watched.
    expect(clearSpy).not.toHaveBeenCalledWith(timer);
    expect(getEventListeners(request.signal, "abort")).toHaveLength(1);

    stalled.get("/held")?.end("second half");
    expect(await response.text()).toBe("first half, second half");
    expect(clearSpy).toHaveBeenCalledWith(timer);
    expect(getEventListeners(request.signal, "abort")).toHaveLength(0);
  });

  it("is released at once for a response without a body", async () => {
    transport = createTransport();
    const request = new Request(`${server.url}/whole`, { method: "HEAD" });
    const response = await transport.fetch(request);
    expect(response.body).toBeNull();
    expect(getEventListeners(request.signal, "abort")).toHaveLength(0);
  });
});

describe("the caller's abort", () => {
  it("also ends a body being read, with the caller's reason", async () => {
    transport = createTransport();
    const controller = new AbortController();
    const response = await transport.fetch(
      new Request(`${server.url}/stall`, { signal: controller.signal }),
    );
    controller.abort();
    const error = await response.text().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "AbortError" });
  });
});
