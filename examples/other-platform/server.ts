/**
 * A tiny stand-in for "another platform": an RFC 6749 token endpoint (client credentials, client
 * authenticated with HTTP Basic, RFC 6749 §2.3.1) and the Petstore API of `petstore.yaml`,
 * answering only requests with a token it issued. Loopback only; for the example and its test.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { components } from "./generated/petstore.js";

type Pet = components["schemas"]["Pet"];
type NewPet = components["schemas"]["NewPet"];
type Problem = components["schemas"]["Problem"];

export interface PetstoreServer {
  url: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** How many tokens the endpoint issued (the example should need exactly one). */
  tokensIssued(): number;
  close(): Promise<void>;
}

export async function startPetstoreServer(): Promise<PetstoreServer> {
  const clientId = "petstore-example";
  const clientSecret = "petstore secret+with/reserved=chars";
  const tokens = new Set<string>();
  const pets: Pet[] = [{ id: 1, name: "Tom", tag: "cat" }];

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const body = await readBody(request);
    if (request.method === "POST" && url.pathname === "/oauth2/token") {
      const form = new URLSearchParams(body);
      if (!basicMatches(request.headers.authorization, clientId, clientSecret)) {
        return json(response, 401, { error: "invalid_client" });
      }
      if (form.get("grant_type") !== "client_credentials") {
        return json(response, 400, { error: "unsupported_grant_type" });
      }
      const token = randomBytes(24).toString("base64url");
      tokens.add(token);
      return json(response, 200, { access_token: token, token_type: "Bearer", expires_in: 3600 });
    }

    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    if (!bearer || !tokens.has(bearer)) {
      return problem(response, { title: "Unauthorized", status: 401 });
    }
    if (url.pathname === "/v1/pets" && request.method === "GET") {
      const limit = Number(url.searchParams.get("limit") ?? 20);
      return json(response, 200, pets.slice(0, limit));
    }
    if (url.pathname === "/v1/pets" && request.method === "POST") {
      const input = JSON.parse(body || "{}") as Partial<NewPet>;
      if (typeof input.name !== "string" || input.name === "") {
        return problem(response, { title: "Bad Request", status: 400, detail: "name is required" });
      }
      const pet: Pet = {
        id: pets.length + 1,
        name: input.name,
        ...(input.tag ? { tag: input.tag } : {}),
      };
      pets.push(pet);
      return json(response, 201, pet);
    }
    const match = /^\/v1\/pets\/(\d+)$/.exec(url.pathname);
    const pet =
      match && request.method === "GET" ? pets.find((p) => p.id === Number(match[1])) : undefined;
    if (pet) return json(response, 200, pet);
    return problem(response, { title: "Not Found", status: 404 });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokenUrl: `${url}/oauth2/token`,
    clientId,
    clientSecret,
    tokensIssued: () => tokens.size,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded. */
function basicMatches(header: string | undefined, id: string, secret: string): boolean {
  const encoded = /^Basic (.+)$/i.exec(header ?? "")?.[1];
  if (!encoded) return false;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const formDecode = (text: string) => decodeURIComponent(text.replaceAll("+", " "));
  return (
    formDecode(decoded.slice(0, colon)) === id && formDecode(decoded.slice(colon + 1)) === secret
  );
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  response.end(JSON.stringify(body));
}

function problem(response: ServerResponse, body: Problem): void {
  response.writeHead(body.status, { "content-type": "application/problem+json" });
  response.end(JSON.stringify(body));
}
