// Runs the documented example under examples/contract-test/ as part of the project's suite
// (vitest only collects test/**/*.test.ts): importing it registers its tests in this file.
import "../../examples/contract-test/tenant-roundtrip.test.js";
import "../../examples/session/tenant-roundtrip.test.js";
