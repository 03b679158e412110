// The optional peers the spec modules run on (see ../peers/optional-peers.ts), loaded when this
// module is evaluated. Through dynamic imports: a static import of a missing package would fail
// when the library chunk holding it is linked, before `passgrant/sandbox` or `passgrant/testing`
// could say what to install. The executable, which bundles these packages and is CommonJS (no
// top-level await), is built with static imports in this module's place (scripts/bundle-cli.mjs),
// and without this check: its copies are bundled, whatever is installed.
import { assertPeersInstalled, SPEC_PEERS } from "../peers/optional-peers.js";

assertPeersInstalled(
  "Reading and checking OpenAPI documents (a session's `spec`, `validate`)",
  SPEC_PEERS,
);

const [backend, formats, yaml] = await Promise.all([
  import("openapi-backend"),
  import("ajv-formats"),
  import("yaml"),
]);

export const { OpenAPIBackend, OpenAPIRouter } = backend;
export const addFormats = formats.default;
export const { parse: parseYaml } = yaml;
