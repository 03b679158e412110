import type { MsxOperationId } from "../spec/msx-operations.js";
import { loadMsxDocument } from "../spec/msx-spec.js";
import { checkAssertionKey } from "./client-auth-check.js";
import { defaultReply } from "./default-replies.js";
import type { ExpectMethods, MockClient, MockMembers } from "./expectation-types.js";
import { errorFixture, oauthErrorFixture } from "./fixtures.js";
import { createMock } from "./mock-api.js";
import type { MockProfile } from "./mock-profile.js";
import type { MsxOperations, Schemas } from "./types.js";

export type {
  ClientAssertionExpectation,
  ClientAssertionKey,
  ExpectOptions,
  InterceptedRequest,
  MockClient,
  ReplyFor,
  RequestMatch,
} from "./expectation-types.js";
export { VIOLATION_HEADER, VIOLATION_STATUS } from "./mock-api.js";
export type { RecordedRequest } from "./recorder.js";

/** Options of {@link mockMsx}. */
export interface MockMsxOptions {
  /**
   * The client the token endpoint expects, and how it authenticates: its secret (HTTP Basic or
   * `client_secret_post`), `client_id` alone (a public client, or mutual TLS), or a client
   * assertion (`private_key_jwt`).
   * @default unset: any client is accepted (what it sends is still checked for form: Basic
   * credentials that decode, an assertion with the right type, claims and lifetime)
   */
  client?: MockClient;
  /**
   * Bearer tokens tenant operations may carry besides the ones this mock's token replies issued.
   * While no token was issued and none is listed here, any non-empty token is accepted.
   */
  accessTokens?: readonly string[];
}

/**
 * A nock-backed stand-in for an MSX platform: one method per spec operation to expect a call,
 * checks of every intercepted request against the spec, and `verify()` to fail the test.
 */
export interface MsxMock
  extends MockMembers<MsxOperations, Schemas["Error"], MsxMock>,
    ExpectMethods<MsxOperations, Schemas["Error"], MsxMock> {}

const TOKEN_OPERATION: MsxOperationId = "getAccessToken";

/**
 * Mocks the MSX platform at `baseUrl` with nock: `mockApi` over the bundled `openapi/msx.yaml`,
 * with replies shaped like the platform's. Expect calls with the operation methods
 * (`msx.getAccessToken()`, `msx.createTenant({ status: 201, body })`, ...); each replies with a
 * spec-valid fixture unless told otherwise. A request that breaks the spec, or that no expectation
 * is left for, is recorded, answered with status 400 and a body that says what is wrong, and
 * reported by `verify()`. Tenant operations accept the bearer tokens the mock's token replies
 * issued.
 *
 * Works with `nock.disableNetConnect()`. Clients must call `globalThis.fetch` late (passgrant's
 * clients do), or be created after nock is loaded.
 */
export function mockMsx(baseUrl: string | URL, options: MockMsxOptions = {}): MsxMock {
  checkAssertionKey(options.client?.assertion?.publicKey);
  const issuedTokens = new Set<string>();
  const profile: MockProfile = {
    apiName: "MSX",
    defaultReply: (operationId, request) => defaultReply(operationId as MsxOperationId, request),
    violationBody: (operationId, message) =>
      operationId === TOKEN_OPERATION
        ? oauthErrorFixture("invalid_request", message)
        : errorFixture(400, { code: "CONTRACT_VIOLATION", message }),
    errorBody(operationId, status) {
      if (status < 400) return undefined;
      if (operationId === TOKEN_OPERATION && status < 500) {
        return oauthErrorFixture(status === 401 ? "invalid_client" : "invalid_grant");
      }
      return errorFixture(status);
    },
    // RFC 6749 §5.1: a token response must not be cached.
    replyHeaders: (operationId, status): Record<string, string> =>
      operationId === TOKEN_OPERATION && status === 200 ? { "Cache-Control": "no-store" } : {},
    issuedTokens: () => issuedTokens,
    onReply(operationId, status, body) {
      const issued = (body as { access_token?: unknown } | undefined)?.access_token;
      if (operationId === TOKEN_OPERATION && status === 200 && typeof issued === "string") {
        issuedTokens.add(issued);
      }
    },
  };
  return createMock(
    loadMsxDocument(),
    baseUrl,
    {
      ...(options.client && { client: options.client }),
      ...(options.accessTokens && { bearerTokens: options.accessTokens }),
    },
    profile,
  ) as unknown as MsxMock;
}
