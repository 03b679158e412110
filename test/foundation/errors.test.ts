import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { abortable } from "../../src/cli/abortable.js";
import { AbortedError, OAuthError, PassgrantError, TokenResponseError } from "../../src/index.js";

const src = resolve(import.meta.dirname, "../../src");

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("the error hierarchy", () => {
  it("AbortedError names the request when there is one", () => {
    const error = new AbortedError({ method: "GET", url: "https://msx.example.com/x" });
    expect(error.message).toBe("GET https://msx.example.com/x was aborted by the caller.");
    expect(error).toMatchObject({ code: "ERR_ABORTED", method: "GET" });
  });

  it("AbortedError needs no request target: an interrupted run has none", () => {
    const error = new AbortedError({ reason: "SIGINT" });
    expect(error).toBeInstanceOf(PassgrantError);
    expect(error.code).toBe("ERR_ABORTED");
    expect(error.message).toBe("Interrupted (SIGINT).");
    expect(error.method).toBeUndefined();
    expect(error.url).toBeUndefined();
    expect(new AbortedError().message).toBe("Interrupted.");
  });

  it("the CLI's interruption is an AbortedError, the run's own when it gave one", async () => {
    const controller = new AbortController();
    const pending = abortable(new Promise(() => {}), controller.signal);
    const reason = new AbortedError({ reason: "SIGTERM" });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);

    const other = new AbortController();
    other.abort("timeout of the test");
    await expect(abortable(Promise.resolve(1), other.signal)).rejects.toMatchObject({
      name: "AbortedError",
      message: "Interrupted (timeout of the test).",
    });
  });

  it("TokenResponseError without a status: a cached token response lacking a member", () => {
    const error = new TokenResponseError({ problem: "no refresh_token", hint: "Do this." });
    expect(error.message).toBe("Unusable token response: no refresh_token. Do this.");
    expect(error.status).toBeUndefined();
  });

  it("OAuthError keeps a code outside RFC 6749 as it came", () => {
    const error = new OAuthError({ error: "IDM_SOMETHING", status: 400 });
    expect(error.error).toBe("IDM_SOMETHING");
  });

  // Every error a user meets has a class to branch on with instanceof, not only a code.
  it("src throws no bare PassgrantError: each has its subclass", async () => {
    const bare: string[] = [];
    for (const file of await sourceFiles(src)) {
      const text = await readFile(file, "utf8");
      if (/new PassgrantError\(/.test(text)) bare.push(file.slice(src.length + 1));
    }
    expect(bare).toEqual([]);
  });
});
