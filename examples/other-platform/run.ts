/**
 * Starts the tiny local Petstore server and runs the example against it. The test
 * `test/cli/other-platform-example.test.ts` runs this same file, so the example cannot rot:
 *   npx vitest run test/cli/other-platform-example.test.ts
 */
import { runPetstoreExample } from "./main.js";
import { startPetstoreServer } from "./server.js";

export async function run(print?: (line: string) => void) {
  const server = await startPetstoreServer();
  try {
    const pets = await runPetstoreExample({
      baseUrl: server.url,
      tokenUrl: server.tokenUrl,
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      ...(print ? { print } : {}),
    });
    return { pets, tokensIssued: server.tokensIssued() };
  } finally {
    await server.close();
  }
}
