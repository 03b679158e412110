import type { Context } from "openapi-backend";
import type { FormFields } from "../spec/form.js";

/**
 * What the server learnt about one request before openapi-backend saw it. Passed to every
 * openapi-backend handler as its second argument.
 */
export interface Exchange {
  /** The raw body (at most MAX_BODY_BYTES). */
  readonly body: Buffer;
  /** The request's media type, lower-cased, without parameters. */
  readonly mediaType: string | undefined;
  /** The parsed form, when the body was `application/x-www-form-urlencoded`. */
  readonly form?: { readonly fields: FormFields; readonly repeated: readonly string[] };
}

/** What an operation handler returns: the status, the JSON body (if any) and extra headers. */
export interface SandboxResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** An openapi-backend handler as the sandbox registers it. */
export type SandboxHandler = (context: Context, exchange: Exchange) => SandboxResult;
