import nock from "nock";
import { afterEach, beforeAll, expect } from "vitest";
import type { MsxMock } from "../../src/testing/index.js";

/**
 * Every contract test file runs under these rules: no real network; after each test, no request
 * left in flight, the kit's verdict on the test's mock (spec violations, unexpected calls), and
 * no nock expectation left unused (an unused expectation is a call the code never made).
 */
export function useMockHygiene(currentMock: () => MsxMock): void {
  beforeAll(() => {
    nock.disableNetConnect();
    return () => nock.enableNetConnect();
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.abortPendingRequests();
    nock.cleanAll();
    currentMock().verify();
    expect(pending, "unused nock expectations").toEqual([]);
  });
}
