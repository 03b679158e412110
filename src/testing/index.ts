// First: a clear error naming what to install, before any module needing those packages loads.
import "./peers-installed.js";

export type { ApiMock, MockApiOptions } from "./expectation-types.js";
/**
 * `passgrant/testing`: contract-testing helpers for code that talks to an MSX platform through
 * passgrant (`mockMsx`), or to any API an OpenAPI 3 document describes (`mockApi`). Built on nock
 * (a peer dependency); independent of any test runner.
 */
export {
  errorFixture,
  fixtureId,
  fixtureToken,
  oauthErrorFixture,
  tenantFixture,
  tenantsPageFixture,
  tokenResponseFixture,
} from "./fixtures.js";
export { mockApi } from "./mock-api.js";
export {
  type ClientAssertionExpectation,
  type ClientAssertionKey,
  type ExpectOptions,
  type InterceptedRequest,
  type MockClient,
  type MockMsxOptions,
  type MsxMock,
  mockMsx,
  type RecordedRequest,
  type ReplyFor,
  type RequestMatch,
  VIOLATION_HEADER,
  VIOLATION_STATUS,
} from "./mock-msx.js";
export {
  expiredTokenThenRenewal,
  invalidGrantOnRefresh,
  type RenewalStory,
  rateLimited,
  serverError,
  slowResponse,
} from "./stories.js";
export type {
  DocumentedStatus,
  OffSpecStatus,
  PathParams,
  RequestBody,
  ResponseBody,
  SuccessStatus,
} from "./types.js";
export { type ContractViolation, ContractViolationError } from "./violations.js";
