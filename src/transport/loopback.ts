/**
 * Whether `hostname` (as in `URL.hostname`) names this machine: `localhost` and `*.localhost`
 * (RFC 6761 §6.3), 127.0.0.0/8 and ::1. Credentials may travel over plain http:// only to these,
 * and passgrant never sends them through a proxy.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  if (host.startsWith("::ffff:")) return isLoopbackHost(host.slice("::ffff:".length));
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** plain http:// to anything but this machine. */
export function isInsecureOrigin(url: URL): boolean {
  return url.protocol === "http:" && !isLoopbackHost(url.hostname);
}

/**
 * Whether a request to `url` would show credentials (an `Authorization` or `Cookie` header,
 * looked up by `hasHeader` with its lower-case name) to the network path. The origin is looked
 * at first: header lookups cost more, and https or loopback needs none.
 */
export function exposesCredentials(
  url: URL,
  hasHeader: (lowerCaseName: string) => boolean,
): boolean {
  return isInsecureOrigin(url) && (hasHeader("authorization") || hasHeader("cookie"));
}
