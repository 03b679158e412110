/** The fields of an `application/x-www-form-urlencoded` body, each sent at most once. */
export type FormFields = Readonly<Record<string, string>>;

/**
 * Parses an `application/x-www-form-urlencoded` body (WHATWG URL §5.1, as `URLSearchParams`).
 * A field sent twice keeps its last value and is named in `repeated`, not merged: RFC 6749 §3.2
 * says token request parameters MUST NOT repeat, and the caller decides what that means.
 */
export function parseForm(text: string): { fields: FormFields; repeated: string[] } {
  const fields: Record<string, string> = {};
  const repeated = new Set<string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(fields, name)) repeated.add(name);
    // Defined, not assigned: a field named `__proto__` must be a field, not a prototype.
    Object.defineProperty(fields, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { fields, repeated: [...repeated] };
}
