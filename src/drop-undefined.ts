/**
 * A copy of `value` without its `undefined` members, so optional properties are absent rather
 * than present and undefined: a token read back from the cache equals the one saved, and a
 * configuration lists only what was set.
 */
export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
