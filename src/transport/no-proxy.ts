/**
 * `NO_PROXY` matching with curl's semantics, the de facto standard: a comma- or space-separated
 * list; `*` matches everything; `example.com` and `.example.com` match the host and its
 * subdomains; an entry with `:port` matches only that port. (undici's EnvHttpProxyAgent does the
 * same, but is marked experimental and prints a process warning on every start.)
 */
export function parseNoProxy(value: string | undefined): (url: URL) => boolean {
  const entries = (value ?? "")
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry.length > 0);
  if (entries.includes("*")) return () => true;
  const rules = entries.map((entry) => {
    const match = /^(.*?)(?::(\d+))?$/.exec(entry);
    const host = (match?.[1] ?? entry).replace(/^\*?\./, "").replace(/^\[|\]$/g, "");
    return { host, port: match?.[2] };
  });
  return (url) => {
    const hostname = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
    const port = url.port || (url.protocol === "https:" ? "443" : "80");
    return rules.some(
      (rule) =>
        (rule.port === undefined || rule.port === port) &&
        (hostname === rule.host || hostname.endsWith(`.${rule.host}`)),
    );
  };
}
