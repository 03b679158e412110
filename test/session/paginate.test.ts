import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { UnexpectedResponseError } from "../../src/client/unexpected-response-error.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { createSession } from "../../src/session/create-session.js";
import { nextLink } from "../../src/session/paginate.js";
import type { UntypedOperations } from "../../src/session/types.js";

type Handler = (url: URL, request: IncomingMessage, response: ServerResponse) => void;

/** A loopback platform: a token endpoint, and `handle` for everything else. */
async function startPlatform(handle: Handler) {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    request.resume();
    request.on("end", () => {
      if (url.pathname === "/token") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(
          JSON.stringify({ access_token: "tok", token_type: "Bearer", expires_in: 600 }),
        );
        return;
      }
      seen.push(`${url.pathname}${url.search} ${request.headers.authorization ?? "-"}`);
      handle(url, request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, seen };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

const json = (response: ServerResponse, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(200, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
};

/** A spec of one listing operation, known only at run time (no generated types). */
const thingsSpec = {
  openapi: "3.0.3",
  info: { title: "things", version: "1" },
  paths: {
    "/things": {
      get: {
        operationId: "listThings",
        parameters: [
          { name: "cursor", in: "query", schema: { type: "string" } },
          { name: "page", in: "query", schema: { type: "integer" } },
          { name: "pageSize", in: "query", schema: { type: "integer" } },
        ],
        responses: { "200": { description: "things" } },
      },
    },
  },
};

async function session(url: string, spec?: object) {
  return createSession<object, UntypedOperations>({
    baseUrl: url,
    tokenUrl: `${url}/token`,
    clientId: "c",
    clientSecret: "s",
    username: "u",
    password: "p",
    environment: false,
    ...(spec ? { spec } : {}),
  });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe("session.paginate on the sandbox", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("yields every tenant across hasNext pages, typed", async () => {
    const pages: string[] = [];
    const s = await createSession({
      baseUrl: sandbox.url,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      username: sandbox.username,
      password: sandbox.password,
      environment: false,
      onResponse: ({ url }) => pages.push(url),
    });
    try {
      const names: string[] = [];
      for await (const tenant of s.paginate("getTenantsPage", { query: { pageSize: 3 } })) {
        names.push(tenant.name); // typed: Tenant
      }
      expect(names.sort()).toEqual(
        sandbox
          .tenants()
          .map((tenant) => tenant.name)
          .sort(),
      );
      // 4 seeded tenants in pages of 3: two listing requests, no third.
      expect(pages.filter((url) => url.includes("/tenants?"))).toHaveLength(2);
    } finally {
      await s.close();
    }
  });
});

describe("session.paginate against broken and other servers", () => {
  it("stops on a server answering the same page forever while saying hasNext", async () => {
    const platform = await startPlatform((_url, _request, response) =>
      json(response, {
        page: 0,
        pageSize: 2,
        totalItems: 10,
        hasNext: true,
        hasPrevious: false,
        contents: [{ id: "a", name: "A" }],
      }),
    );
    servers.push(platform.server);
    const s = await session(platform.url);
    try {
      const failure = await collect(s.paginate("getTenantsPage", { query: { pageSize: 2 } })).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(UnexpectedResponseError);
      expect((failure as Error).message).toContain("a page that makes no progress: page 0 again");
      expect(platform.seen).toHaveLength(2);
    } finally {
      await s.close();
    }
  });

  it("stops on pages repeating the same items under new page numbers, and on an empty page claiming more", async () => {
    let page = 0;
    const repeating = await startPlatform((_url, _request, response) =>
      json(response, { page: page++, hasNext: true, contents: [{ id: "a" }, { id: "b" }] }),
    );
    const empty = await startPlatform((url, _request, response) =>
      json(response, { page: Number(url.searchParams.get("page")), hasNext: true, contents: [] }),
    );
    servers.push(repeating.server, empty.server);
    for (const [platform, expected] of [
      [repeating, "the same items as page 1 of this listing (page 2)"],
      [empty, "an empty page, while saying hasNext"],
    ] as const) {
      const s = await session(platform.url);
      try {
        const failure = await collect(
          s.paginate("getTenantsPage", { query: { pageSize: 2 } }),
        ).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(UnexpectedResponseError);
        expect((failure as Error).message).toContain(expected);
        expect(platform.seen.length).toBeLessThanOrEqual(2);
      } finally {
        await s.close();
      }
    }
  });

  it("follows totalItems when the page has no hasNext", async () => {
    const all = Array.from({ length: 7 }, (_, i) => ({ id: `t${i}` }));
    const platform = await startPlatform((url, _request, response) => {
      const p = Number(url.searchParams.get("page"));
      const size = Number(url.searchParams.get("pageSize"));
      json(response, { totalItems: all.length, contents: all.slice(p * size, (p + 1) * size) });
    });
    servers.push(platform.server);
    const s = await session(platform.url, thingsSpec);
    try {
      const items = await collect(s.paginate("listThings", { query: { pageSize: 3 } }));
      expect(items).toEqual(all);
      expect(platform.seen).toHaveLength(3);
    } finally {
      await s.close();
    }
  });

  it("fetches ahead with bounded concurrency when totalItems is known, yielding in order", async () => {
    const all = Array.from({ length: 20 }, (_, i) => ({ id: `t${i}` }));
    let inFlight = 0;
    let maxInFlight = 0;
    const platform = await startPlatform((url, _request, response) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const p = Number(url.searchParams.get("page"));
      const size = Number(url.searchParams.get("pageSize"));
      // Later pages answer first: the order of items must not follow the order of answers.
      setTimeout(
        () => {
          inFlight -= 1;
          json(response, {
            page: p,
            totalItems: all.length,
            hasNext: (p + 1) * size < all.length,
            contents: all.slice(p * size, (p + 1) * size),
          });
        },
        40 - p * 5,
      );
    });
    servers.push(platform.server);
    const s = await session(platform.url);
    try {
      const items = await collect(
        s.paginate("getTenantsPage", { query: { pageSize: 3 } }, { concurrency: 3 }),
      );
      expect(items).toEqual(all);
      expect(platform.seen).toHaveLength(7); // ceil(20 / 3) pages, none twice
      expect(maxInFlight).toBeGreaterThan(1);
      expect(maxInFlight).toBeLessThanOrEqual(3);
    } finally {
      await s.close();
    }
  });

  it("follows RFC 8288 Link rel=next on the same resource, bearer included", async () => {
    const platform = await startPlatform((url, _request, response) => {
      const cursor = url.searchParams.get("cursor") ?? "0";
      const next = Number(cursor) + 1;
      const headers: Record<string, string> =
        next < 3
          ? {
              link: `<${url.pathname}?cursor=${next}>; rel="next", </things?cursor=0>; rel="first"`,
            }
          : {};
      json(response, [{ id: `c${cursor}` }], headers);
    });
    servers.push(platform.server);
    const s = await session(platform.url, thingsSpec);
    try {
      expect(await collect(s.paginate("listThings"))).toEqual([
        { id: "c0" },
        { id: "c1" },
        { id: "c2" },
      ]);
      expect(platform.seen).toEqual([
        "/things Bearer tok",
        "/things?cursor=1 Bearer tok",
        "/things?cursor=2 Bearer tok",
      ]);
    } finally {
      await s.close();
    }
  });

  it("refuses a next link to another origin: the token is never sent there", async () => {
    const elsewhere = await startPlatform((_url, _request, response) => json(response, []));
    const platform = await startPlatform((_url, _request, response) =>
      json(response, [{ id: 1 }], { link: `<${elsewhere.url}/things?cursor=1>; rel="next"` }),
    );
    servers.push(platform.server, elsewhere.server);
    const s = await session(platform.url, thingsSpec);
    try {
      const failure = await collect(s.paginate("listThings")).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(UnexpectedResponseError);
      expect((failure as Error).message).toContain("a next link to another resource");
      expect(elsewhere.seen).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it("stops when a next link comes back to a page seen before", async () => {
    const platform = await startPlatform((url, _request, response) => {
      const cursor = url.searchParams.get("cursor") ?? "0";
      const next = cursor === "0" ? "1" : "0";
      json(response, [{ id: `c${Math.random()}` }], { link: `</things?cursor=${next}>; rel=next` });
    });
    servers.push(platform.server);
    const s = await session(platform.url, thingsSpec);
    try {
      const failure = await collect(s.paginate("listThings")).catch((error: unknown) => error);
      expect((failure as Error).message).toContain("again");
      expect(platform.seen.length).toBeLessThanOrEqual(3);
    } finally {
      await s.close();
    }
  });
});

describe("nextLink (RFC 8288 §3)", () => {
  it("finds rel=next among several links and relation types, resolved against the page", () => {
    const base = "https://api.example.test/v1/things?page=1";
    expect(
      nextLink('<https://x.test/a>; rel="prev", </v1/things?page=2>; rel="last next"', base)?.href,
    ).toBe("https://api.example.test/v1/things?page=2");
    expect(nextLink("<?page=3>; REL=Next", base)?.href).toBe(
      "https://api.example.test/v1/things?page=3",
    );
    expect(nextLink('<https://x.test/a>; rel="prev"', base)).toBeUndefined();
    expect(nextLink(null, base)).toBeUndefined();
  });
});
