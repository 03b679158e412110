import nock from "nock";
import { afterAll, afterEach, beforeAll, expect } from "vitest";

/**
 * Every kit test file runs under these rules: no real network, and no nock expectation may be
 * left unused at the end of a test (an unused expectation means a call the code never made).
 */
export function useNockHygiene(): void {
  beforeAll(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending, "unused nock expectations").toEqual([]);
  });
  afterAll(() => {
    nock.enableNetConnect();
  });
}
