import type { Client, FetchResponse, MaybeOptionalInit } from "openapi-fetch";
import type {
  HttpMethod,
  MediaType,
  PathsWithMethod,
  RequiredKeysOf,
} from "openapi-typescript-helpers";

/**
 * openapi-fetch's `Client`, with one thing made stricter: unknown fields in a request `body` or
 * in `params.query` are compile errors.
 *
 * openapi-fetch infers each call's `init` as a type parameter, and TypeScript skips its excess
 * property check for inferred arguments, so `{ name: "t", descripton: "typo" }` type-checks once
 * every required field is present (openapi-ts/openapi-typescript#1769, #2329). A typo in an
 * optional field is exactly the bug a generated client should catch, so the MSX client re-types
 * each method to map fields the spec does not know to `never`. The runtime is openapi-fetch's own.
 */
export type StrictClient<Paths extends {}, Media extends MediaType = MediaType> = Omit<
  Client<Paths, Media>,
  "GET" | "PUT" | "POST" | "DELETE" | "OPTIONS" | "HEAD" | "PATCH" | "TRACE"
> & {
  GET: StrictMethod<Paths, "get", Media>;
  PUT: StrictMethod<Paths, "put", Media>;
  POST: StrictMethod<Paths, "post", Media>;
  DELETE: StrictMethod<Paths, "delete", Media>;
  OPTIONS: StrictMethod<Paths, "options", Media>;
  HEAD: StrictMethod<Paths, "head", Media>;
  PATCH: StrictMethod<Paths, "patch", Media>;
  TRACE: StrictMethod<Paths, "trace", Media>;
};

type StrictMethod<Paths extends {}, Method extends HttpMethod, Media extends MediaType> = <
  Path extends PathsWithMethod<Paths, Method>,
  Init extends InitFor<Paths[Path], Method>,
>(
  url: Path,
  ...init: StrictInitParam<Init, InitFor<Paths[Path], Method>>
) => Promise<ResponseFor<Paths[Path], Method, Init, Media>>;

// openapi-fetch states these constraints on `Client` through `Record<string, ...>`, which
// generated interfaces (no index signature) only meet because its .d.ts is never type-checked.
type InitFor<PathItem, Method extends HttpMethod> = Method extends keyof PathItem
  ? MaybeOptionalInit<PathItem, Method>
  : never;
type ResponseFor<
  PathItem,
  Method extends HttpMethod,
  Init,
  Media extends MediaType,
> = Method extends keyof PathItem
  ? PathItem[Method] extends Record<string | number, unknown>
    ? FetchResponse<PathItem[Method], Init, Media>
    : never
  : never;

/** As openapi-fetch's `InitParam` (optional when nothing is required), plus the field checks. */
type StrictInitParam<Init, Allowed> =
  RequiredKeysOf<Init> extends never
    ? [(Init & KnownFieldsOnly<Init, NonNullable<Allowed>> & { [key: string]: unknown })?]
    : [Init & KnownFieldsOnly<Init, NonNullable<Allowed>> & { [key: string]: unknown }];

type KnownFieldsOnly<Init, Allowed> = BodyFields<Init, Allowed> & QueryFields<Init, Allowed>;

type BodyFields<Init, Allowed> = Init extends { body: infer Body }
  ? Allowed extends { body?: infer Shape }
    ? { body: NoUnknownKeys<Body, NonNullable<Shape>> }
    : unknown
  : unknown;

type QueryFields<Init, Allowed> = Init extends { params: { query?: infer Query } }
  ? Allowed extends { params?: { query?: infer Shape } }
    ? { params: { query?: NoUnknownKeys<Query, NonNullable<Shape>> } }
    : unknown
  : unknown;

/** Each key of `Actual` that `Shape` lacks becomes `never`; arrays and primitives pass through. */
type NoUnknownKeys<Actual, Shape> = Actual extends readonly unknown[]
  ? Actual
  : Actual extends object
    ? { [K in keyof Actual]: K extends keyof Shape ? Actual[K] : never }
    : Actual;
