import { createRequire } from "node:module";

/**
 * Node built-ins that are expensive to load and needed only on some paths, required on first
 * use instead of imported. node:crypto alone took longer to load than the rest of
 * `import("passgrant")` (it pulls in most of Node's crypto and streams), and node:tls is only
 * needed for a custom CA. `require` because their callers are synchronous; Node caches the
 * module, so every call after the first is a lookup.
 */
const require = createRequire(import.meta.url);

/** node:crypto: hashing and random bytes (PKCE, state, paging fingerprints, cache keys). */
export const nodeCrypto = (): typeof import("node:crypto") =>
  require("node:crypto") as typeof import("node:crypto");

/** node:tls: the bundled root certificates a custom CA is added to. */
export const nodeTls = (): typeof import("node:tls") =>
  require("node:tls") as typeof import("node:tls");

/** node:v8: its flags (the executable's `--liftoff-only`); loading it pulls in heap utilities. */
export const nodeV8 = (): typeof import("node:v8") =>
  require("node:v8") as typeof import("node:v8");

/** node:zlib: decoding a gzip, deflate or br response body. */
export const nodeZlib = (): typeof import("node:zlib") =>
  require("node:zlib") as typeof import("node:zlib");
