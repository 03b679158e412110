/** The globals through which Node loads its bundled undici, its fetch classes first. */
const LAZY_CLASSES = ["Request", "Response", "Headers", "FormData"] as const;

/**
 * Runs `prepare` once, before Node loads its built-in fetch: before the first call of
 * `globalThis.fetch` or the first look at one of its classes (Request, Response, Headers,
 * FormData). Node defines those classes as lazy properties that load undici when first read, and
 * `fetch` as a small function that loads it when first called; undici starts compiling its HTTP
 * parser (WebAssembly) as it loads. Each wrapper puts Node's own property back as it runs, so
 * every later use is Node's alone, and assigning one of these globals (a test double) works as
 * it would have.
 */
export function beforeFetchLoads(prepare: () => void): void {
  const restores: Array<() => void> = [];
  let prepared = false;
  const once = () => {
    if (prepared) return;
    prepared = true;
    for (const restore of restores) restore();
    prepare();
  };

  const scope = globalThis as unknown as Record<string, unknown>;
  for (const name of LAZY_CLASSES) {
    const original = Object.getOwnPropertyDescriptor(globalThis, name);
    // Already a value: undici is loaded, or this is not Node's lazy property.
    if (!original?.get || !original.configurable) continue;
    const { get } = original;
    restores.push(() => Object.defineProperty(globalThis, name, original));
    Object.defineProperty(globalThis, name, {
      configurable: true,
      enumerable: original.enumerable ?? false,
      get() {
        once();
        return get.call(globalThis);
      },
      set(value: unknown) {
        once();
        scope[name] = value;
      },
    });
  }

  const nodeFetch = globalThis.fetch;
  const wrapper: typeof fetch = (input, init) => {
    once();
    return nodeFetch(input, init);
  };
  restores.push(() => {
    if (globalThis.fetch === wrapper) globalThis.fetch = nodeFetch;
  });
  globalThis.fetch = wrapper;
}
