/**
 * A copy of `value` without its `undefined` members, so optional properties are absent rather
 * than present and undefined: a token read back from the cache equals the one saved, and a
 * configuration lists only what was set.
 */
export function dropUndefined<T extends object>(value: T): WithoutUndefined<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as WithoutUndefined<T>;
}

/** `T` with each member that may be `undefined` made optional instead (exactOptionalPropertyTypes). */
export type WithoutUndefined<T> = {
  [K in keyof T as undefined extends T[K] ? never : K]: T[K];
} & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};
