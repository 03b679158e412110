import { request } from "node:http";
import { CLIENT_ID, CLIENT_SECRET, DEVICE_CODE_GRANT, startOidcServer } from "./oidc-server.js";

/** A public native client (RFC 8252): no secret, PKCE required, any loopback port. */
export const NATIVE_CLIENT_ID = "passgrant-native";
export const ACCOUNT_ID = "alice";

/** What the test's "user" does on the provider's interaction pages. */
export type UserChoice = "approve" | "deny";

/**
 * oidc-provider with a public native client registered for `http://127.0.0.1/callback` (any
 * port, RFC 8252 §7.3) and an interaction route that plays the user: it signs in as alice and
 * consents (or denies) through the provider's own `interactionDetails`/`interactionResult` API,
 * as a real login page would.
 */
export async function startLoginServer(options: { choice?: () => UserChoice } = {}) {
  const interactions: string[] = [];
  const server = await startOidcServer({
    prepare: (provider) => playTheUser(provider, interactions, options.choice),
    configuration: {
      clients: [
        {
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          grant_types: [DEVICE_CODE_GRANT, "refresh_token", "client_credentials"],
          response_types: [],
          redirect_uris: [],
          token_endpoint_auth_method: "client_secret_basic",
        },
        {
          client_id: NATIVE_CLIENT_ID,
          application_type: "native",
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          redirect_uris: ["http://127.0.0.1/callback"],
          token_endpoint_auth_method: "none",
        },
      ],
    },
  });
  return { ...server, interactions };
}

/** The interaction route: what a login and consent page would do, decided by `choose`. */
function playTheUser(provider: Provider, interactions: string[], choose?: () => UserChoice) {
  provider.use(async (ctx: KoaContext, next: () => Promise<void>) => {
    if (!ctx.path.startsWith("/interaction/")) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const prompt = details.prompt.name as string;
    interactions.push(prompt);
    let result: Record<string, unknown>;
    if ((choose?.() ?? "approve") === "deny") {
      result = { error: "access_denied", error_description: "End-User aborted interaction" };
    } else if (prompt === "login") {
      result = { login: { accountId: ACCOUNT_ID } };
    } else {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: ACCOUNT_ID, clientId: details.params.client_id });
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
      };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      result = { consent: { grantId: await grant.save() } };
    }
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
      mergeWithLastSubmission: false,
    });
    ctx.status = 303;
    ctx.set("Location", returnTo);
  });
}

type Provider = Awaited<ReturnType<typeof startOidcServer>>["provider"];

interface KoaContext {
  path: string;
  req: unknown;
  res: unknown;
  status: number;
  set(name: string, value: string): void;
}

/** What the test's browser ended on. */
export interface BrowserVisit {
  /** Every URL it requested, in order. */
  visited: string[];
  /** The last response (passgrant's page, or wherever the redirects stopped). */
  status: number;
  headers: Headers;
  html: string;
}

/**
 * A minimal browser: follows redirects one by one (at most 20) with a cookie jar, as a user's
 * browser would from the authorization URL through the provider's login and consent to the
 * loopback redirect, and returns the page it ends on.
 */
export function browse(url: string): Promise<BrowserVisit> {
  return browserSession().go(url);
}

/**
 * A browser whose cookie jar lasts across pages, for a user who submits forms: `go` requests a
 * URL (a GET, or the POST of a form), then follows redirects with GETs, as browsers do after a
 * 302 or 303.
 */
function browserSession() {
  const jar = new Map<string, string>();
  return {
    async go(url: string, form?: URLSearchParams): Promise<BrowserVisit> {
      const visited: string[] = [];
      let next = url;
      let body = form;
      for (let hop = 0; hop < 20; hop++) {
        visited.push(next);
        const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
        const response = await fetch(next, {
          redirect: "manual",
          headers: cookie ? { cookie } : {},
          ...(body ? { method: "POST", body } : {}),
        });
        body = undefined;
        for (const line of response.headers.getSetCookie()) {
          const [pair = "", ...attributes] = line.split(";");
          const name = pair.slice(0, pair.indexOf("=")).trim();
          const value = pair.slice(pair.indexOf("=") + 1).trim();
          const expired = attributes.some((attribute) => {
            const [key = "", date = ""] = attribute.trim().split("=");
            return key.toLowerCase() === "expires" && Date.parse(date) < Date.now();
          });
          if (expired || value === "") jar.delete(name);
          else jar.set(name, value);
        }
        const location = response.headers.get("location");
        if (response.status >= 300 && response.status < 400 && location) {
          await response.body?.cancel();
          next = new URL(location, next).href;
          continue;
        }
        return {
          visited,
          status: response.status,
          headers: response.headers,
          html: await response.text(),
        };
      }
      throw new Error(`too many redirects: ${visited.join(" -> ")}`);
    },
  };
}

/** The first POST form of a page: its absolute action and its hidden fields. */
function postForm(page: BrowserVisit): { action: string; fields: URLSearchParams } | undefined {
  const form = /<form\b[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(page.html);
  const action = form && /action="([^"]*)"/.exec(form[0]);
  if (!form || !action?.[1]) return undefined;
  const fields = new URLSearchParams();
  for (const [, name = "", value = ""] of (form[1] ?? "").matchAll(
    /<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g,
  )) {
    fields.append(name, unescapeHtml(value));
  }
  const base = page.visited.at(-1) ?? "http://invalid/";
  return { action: new URL(unescapeHtml(action[1]), base).href, fields };
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/**
 * The user of the device flow (RFC 8628 §3.3) in a browser, on the provider's own pages: opens
 * the verification URI with the code in it, submits the forms the provider answers with (the
 * user code, then its confirmation, or an abort to deny), and signs in and consents through the
 * interaction routes. Returns the page it ends on (the provider's success or error page) and the
 * forms it submitted.
 */
export async function userAtDevicePage(
  verificationUriComplete: string,
  choice: UserChoice,
): Promise<{ page: BrowserVisit; submitted: string[] }> {
  const browser = browserSession();
  const submitted: string[] = [];
  let page = await browser.go(verificationUriComplete);
  for (let step = 0; step < 5; step++) {
    const form = postForm(page);
    if (!form) return { page, submitted };
    const deny = form.fields.get("confirm") === "yes" && choice === "deny";
    if (deny) {
      form.fields.delete("confirm");
      form.fields.set("abort", "yes");
    }
    submitted.push([...form.fields.keys()].join(","));
    page = await browser.go(form.action, form.fields);
    // After a cancel the provider shows the code form again, with its error: the user leaves.
    if (deny) return { page, submitted };
  }
  throw new Error(`the device pages never ended: ${page.visited.join(" -> ")}`);
}

/** GET `url` as a plain request (a forged or stray callback). */
export async function visit(url: string, init: RequestInit = {}) {
  const response = await fetch(url, { redirect: "manual", ...init });
  return { status: response.status, headers: response.headers, html: await response.text() };
}

/** A GET with headers fetch would not send (a foreign Host), through node:http. */
export function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; html: string }>((resolve, reject) => {
    request(url, { headers }, (response) => {
      let html = "";
      response.setEncoding("utf8").on("data", (chunk: string) => (html += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, html }));
    })
      .on("error", reject)
      .end();
  });
}
