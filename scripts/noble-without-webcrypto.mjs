// A rolldown plugin for both bundles. @noble/hashes (the token cache key's SHA-256) looks up
// WebCrypto when its utils module loads, for its random bytes: on Node that import is
// node:crypto itself (or the globalThis.crypto getter, which loads it), the very module the hash
// is there to avoid. passgrant never takes random bytes from noble, so the bundles get a module
// without that lookup; noble's randomBytes would then throw, never return weak bytes.
const STUB = "\0noble-without-webcrypto";

export const nobleWithoutWebCrypto = {
  name: "noble-without-webcrypto",
  resolveId(source) {
    return source === "@noble/hashes/crypto" ? STUB : null;
  },
  load(id) {
    return id === STUB ? "export const crypto = undefined;\n" : null;
  },
};
