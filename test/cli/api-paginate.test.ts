import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ApiRequest,
  type HostileApi,
  hostileEnv,
  sendJson,
  startHostileApi,
  tenant,
} from "./hostile-api.js";
import { runCli, startCli, tempDir } from "./run-cli.js";

// `passgrant api … --paginate` and `--query` (the built executable) against the bundled MSX spec's
// getTenantsPage, served by a loopback server.
let api: HostileApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

/** Page `page` of a listing `pages` long, `size` tenants each with unique uuid ids. */
function pagesOf(pages: number, size: number, nameLength = 8) {
  return (request: ApiRequest, response: ServerResponse) => {
    const page = Number(request.url.searchParams.get("page"));
    const contents = Array.from({ length: size }, (_, i) =>
      tenant(uuid(page * size + i), `t${page}-${i}-`.padEnd(nameLength, "x")),
    );
    sendJson(response, 200, {
      page,
      pageSize: size,
      totalItems: pages * size,
      hasNext: page < pages - 1,
      hasPrevious: page > 0,
      contents,
    });
  };
}

describe("passgrant api --paginate and --query", { timeout: 300_000 }, () => {
  it("--paginate prints one compact JSON item per line, in order, across pages", async () => {
    api = await startHostileApi(pagesOf(3, 2));
    const result = await runCli(
      ["api", "getTenantsPage", "-p", "page=0", "-p", "pageSize=2", "--paginate"],
      { env: hostileEnv(api) },
    );
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines.map((line) => JSON.parse(line).id)).toEqual([0, 1, 2, 3, 4, 5].map(uuid));
    expect(lines[0]).toBe(JSON.stringify(tenant(uuid(0), "t0-0-xxx")));
    expect(api.apiRequests).toBe(3);
  });

  it("--paginate writes each page's items before the next page is answered", async () => {
    let release: (() => void) | undefined;
    const pages = pagesOf(2, 2);
    api = await startHostileApi((request, response) => {
      if (request.url.searchParams.get("page") === "1") {
        release = () => pages(request, response);
      } else pages(request, response);
    });
    const cli = startCli(
      ["api", "getTenantsPage", "-p", "page=0", "-p", "pageSize=2", "--paginate"],
      {
        env: hostileEnv(api),
      },
    );
    // The first page is on stdout while the server still holds the second.
    await cli.waitForStdout(new RegExp(uuid(1)));
    // Bounded wait for the second request to arrive (held by the server).
    for (let i = 0; i < 400 && release === undefined; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(release).toBeDefined();
    expect(cli.stdout()).not.toContain(uuid(2));
    release?.();
    const result = await cli.result;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(4);
  });

  it("--query selects with JMESPath: one value, and per item with --paginate", async () => {
    api = await startHostileApi(pagesOf(2, 3));
    const env = hostileEnv(api);
    const one = await runCli(
      [
        "api",
        "getTenantsPage",
        "-p",
        "page=0",
        "-p",
        "pageSize=3",
        "--query",
        "contents[?ends_with(id, '2')].name | [0]",
      ],
      { env },
    );
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toBe('"t0-2-xxx"\n');
    const names = await runCli(
      [
        "api",
        "getTenantsPage",
        "-p",
        "page=0",
        "-p",
        "pageSize=3",
        "--paginate",
        "--query",
        "{n: name}",
      ],
      { env },
    );
    expect(names.code, names.stderr).toBe(0);
    expect(names.stdout.trimEnd().split("\n")).toEqual(
      ["t0-0-xxx", "t0-1-xxx", "t0-2-xxx", "t1-0-xxx", "t1-1-xxx", "t1-2-xxx"].map(
        (n) => `{"n":"${n}"}`,
      ),
    );
  });

  const rssReporter = fileURLToPath(new URL("./rss-report.mjs", import.meta.url));

  /** Peak RSS of the CLI child paginating `pages` pages of 500 tenants, and the lines printed. */
  async function peakRss(pages: number): Promise<{ rss: number; count: number }> {
    api = await startHostileApi(pagesOf(pages, 500, 120));
    const report = join(tempDir(), "rss");
    const result = await runCli(
      ["api", "getTenantsPage", "-p", "page=0", "-p", "pageSize=500", "--paginate"],
      {
        env: {
          ...hostileEnv(api),
          // Capped heap spaces make V8 collect rather than grow lazily: peak RSS follows what is
          // retained, and 250,000 tenants kept whole cannot fit.
          NODE_OPTIONS: `--max-old-space-size=64 --max-semi-space-size=2 --import=${rssReporter}`,
          PASSGRANT_RSS_REPORT: report,
        },
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const count = result.stdout.trimEnd().split("\n").length;
    await api.close();
    api = undefined;
    return { rss: Number(readFileSync(report, "utf8")), count };
  }

  it("--paginate keeps memory flat from 50 to 500 pages (measured in the child)", async () => {
    const short = await peakRss(50);
    const long = await peakRss(500);
    expect(short.count).toBe(25_000);
    expect(long.count).toBe(250_000);
    console.log(`api --paginate peak RSS: 50 pages ${short.rss} B, 500 pages ${long.rss} B`);
    expect(long.rss - short.rss).toBeLessThan(40 * 1024 * 1024);
  });
});
