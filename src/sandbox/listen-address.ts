/** `0.0.0.0` or `::` (in any spelling, bracketed or not): every interface of the machine. */
export function isWildcardAddress(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  if (bare === "0.0.0.0") return true;
  return /^[0:]+$/.test(bare) && (bare.includes("::") || /^(0+:){7}0+$/.test(bare));
}

/**
 * The host to put in the sandbox's URL. A wildcard bind (`0.0.0.0`, `::`) is an address to
 * listen on, not one to connect to (passgrant refuses it, and sends credentials over http://
 * only to loopback), so the URL names this machine's loopback address, which the wildcard bind
 * serves too.
 */
export function reachableHost(bindHost: string): string {
  const bare = bindHost.replace(/^\[|\]$/g, "");
  if (isWildcardAddress(bare)) return bare.includes(":") ? "[::1]" : "127.0.0.1";
  return bare.includes(":") ? `[${bare}]` : bare;
}
