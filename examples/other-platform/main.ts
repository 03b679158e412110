/**
 * passgrant with another platform's OpenAPI spec, in three steps:
 *
 *   1. generate the types:  npx openapi-typescript petstore.yaml -o generated/petstore.d.ts
 *   2. hand `paths` to createApiClient<paths>(): every path, parameter and body is type-checked
 *   3. authenticate with createTokenProvider + bearerAuth, sharing one transport
 *
 * In your own project, import from "passgrant" instead of "../../src/index.js".
 */
import {
  bearerAuth,
  createApiClient,
  createTokenProvider,
  createTransport,
  httpErrorFromResponse,
} from "../../src/index.js";
import type { components, paths } from "./generated/petstore.js";

type Pet = components["schemas"]["Pet"];

export interface PetstoreExampleOptions {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  print?: (line: string) => void;
}

/** Adds a pet, reads it back and lists the pets, as one client-credentials identity. */
export async function runPetstoreExample(options: PetstoreExampleOptions): Promise<Pet[]> {
  const print = options.print ?? ((line: string) => console.log(line));
  // One transport for token and API calls: TLS, proxy and timeout settings live here.
  const transport = createTransport({ timeoutMs: 10_000 });
  const provider = createTokenProvider({
    tokenUrl: options.tokenUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    // RFC 6749 §4.4: no user involved. Prefer it to the password grant where the platform allows.
    grant: { type: "client_credentials" },
    fetch: transport.fetch,
  });
  const petstore = createApiClient<paths>({
    baseUrl: options.baseUrl,
    fetch: transport.fetch,
    middleware: [bearerAuth(provider)],
  });

  try {
    const created = await petstore.POST("/v1/pets", { body: { name: "Rex", tag: "dog" } });
    if (!created.data) throw await httpErrorFromResponse(created.response, { method: "POST" });
    print(`Created pet ${created.data.id}: ${created.data.name}`);

    const fetched = await petstore.GET("/v1/pets/{petId}", {
      params: { path: { petId: created.data.id } },
    });
    if (!fetched.data) throw await httpErrorFromResponse(fetched.response);
    print(`Fetched pet ${fetched.data.id}: ${fetched.data.name} (${fetched.data.tag ?? "no tag"})`);

    const listed = await petstore.GET("/v1/pets", { params: { query: { limit: 10 } } });
    if (!listed.data) throw await httpErrorFromResponse(listed.response);
    for (const pet of listed.data) print(`${pet.id}: ${pet.name}`);
    return listed.data;
  } finally {
    await transport.close();
  }
}
