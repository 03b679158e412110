import type { PlatformConfig } from "../config/index.js";
import { PassgrantError } from "../errors.js";
import { redactUrl } from "../redact.js";
import { createPlatformTransport } from "../session/wiring.js";
import { createTransport, type Transport } from "../transport/transport.js";

/** The longest `passgrant status` waits for one platform, whatever MSX_TIMEOUT_MS says. */
export const STATUS_PROBE_TIMEOUT_MS = 5_000;
/** How many platforms `passgrant status` asks at once. */
export const STATUS_PROBE_CONCURRENCY = 4;

/** Whether a platform answered `passgrant status`'s one request. */
export type ProbeResult =
  | { url: string; answers: true; status: number }
  | { url: string; answers: false; error: { code: string; message: string } };

/**
 * What to ask and how: the URL, and the configuration whose TLS, CA and proxy settings apply
 * (none for a cached account no configuration names: the defaults then).
 */
export interface ProbeTarget {
  url: string;
  config?: PlatformConfig;
}

/**
 * One unauthenticated GET of `target.url` through the platform's own transport (its CA file,
 * proxy and TLS settings), no retry, redirects not followed, at most
 * {@link STATUS_PROBE_TIMEOUT_MS}. Any HTTP status means the platform answers: a 401, 404 or 405
 * from a token endpoint is still an answer. Nothing secret is sent, and the body is not read.
 */
export async function probePlatform(
  target: ProbeTarget,
  onWarning: (message: string) => void,
): Promise<ProbeResult> {
  const url = redactUrl(target.url);
  let transport: Transport | undefined;
  try {
    transport = target.config
      ? createPlatformTransport(
          {
            ...target.config,
            timeoutMs: Math.min(target.config.timeoutMs, STATUS_PROBE_TIMEOUT_MS),
            retries: 0,
          },
          { onWarning },
        )
      : createTransport({ timeoutMs: STATUS_PROBE_TIMEOUT_MS, retry: false, onWarning });
    const response = await transport.fetch(new Request(target.url, { redirect: "manual" }));
    await response.body?.cancel().catch(() => undefined);
    return { url, answers: true, status: response.status };
  } catch (error) {
    return {
      url,
      answers: false,
      error:
        error instanceof PassgrantError
          ? { code: error.code, message: error.message }
          : {
              code: "ERR_NETWORK",
              message: error instanceof Error ? error.message : String(error),
            },
    };
  } finally {
    await transport?.close().catch(() => undefined);
  }
}

/** `fn` over `items`, at most `limit` at a time, results in the items' order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
