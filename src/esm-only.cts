// What `require("passgrant")` loads where Node cannot require an ES module (Node 20, and 22 before
// 22.12, without --experimental-require-module): passgrant is ESM only, so say so and how to load
// it, instead of Node's ERR_REQUIRE_ESM stack about a file inside the package. Where Node can
// (the "module-sync" condition), `require("passgrant")` gets the package itself.
throw Object.assign(
  new Error(
    'passgrant is an ES module package (ESM only): load it with `import { createMsxClient } from "passgrant"`, ' +
      'or from CommonJS with `import("passgrant")`, which returns a promise of the module. ' +
      'On Node 22.12 or newer, require("passgrant") loads the package root too.',
  ),
  { code: "ERR_REQUIRE_ESM" },
);
