// A separate vitest project standing in for a user's test suite: run by
// test/testing/user-suite.test.ts to prove a contract violation fails the user's test.
export default {
  test: {
    root: new URL(".", import.meta.url).pathname,
    include: ["*.user-test.ts"],
  },
};
