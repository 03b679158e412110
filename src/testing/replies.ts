import type { OpenAPIBackend } from "openapi-backend";
import type { OpenAPIV3 } from "openapi-types";
import type { OperationEntry } from "../spec/operations.js";
import type { ExpectOptions } from "./expectation-types.js";
import type { SeenRequest } from "./matcher.js";
import type { MockProfile } from "./mock-profile.js";
import { sampleOf } from "./schema-sample.js";
import type { UntypedOperations } from "./types.js";

/**
 * What an expectation answers: the status and body the test gave, or the operation's success
 * status with the spec's example (or a value made from its schema); headers the status and the
 * operation's security call for; and whether that reply itself keeps to the spec.
 */

export interface BuiltReply {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  problems: string[];
}

export async function buildReply(
  backend: OpenAPIBackend,
  entry: OperationEntry,
  options: ExpectOptions<string, UntypedOperations, unknown>,
  request: SeenRequest,
  profile: MockProfile,
): Promise<BuiltReply> {
  const operation = backend.router.getOperation(entry.operationId);
  const responses = (operation?.responses ?? {}) as OpenAPIV3.ResponsesObject;
  const fallback =
    profile.defaultReply?.(entry.operationId, request) ?? specReply(entry, responses);
  const status = options.status ?? fallback.status;
  const source = options.body as unknown;
  const body =
    typeof source === "function"
      ? (source as (r: SeenRequest) => unknown)(request)
      : source === undefined && options.status === undefined
        ? fallback.body
        : (source ??
          profile.errorBody?.(entry.operationId, status) ??
          errorReplyBody(responses, status));
  const mediaType = Object.keys(
    (responses[String(status)] as OpenAPIV3.ResponseObject | undefined)?.content ?? {},
  )[0];
  const headers: Record<string, string> = {
    ...(body !== undefined &&
    mediaType &&
    mediaType !== "application/json" &&
    /[/+]json$/.test(mediaType)
      ? { "Content-Type": mediaType }
      : {}),
    ...(status === 401 && entry.security.some((a) => a.some((s) => s.scheme.kind === "bearer"))
      ? { "WWW-Authenticate": 'Bearer error="invalid_token"' }
      : {}),
    ...profile.replyHeaders?.(entry.operationId, status),
    ...options.headers,
  };
  const problems: string[] = [];
  if (String(status) in responses && body !== undefined) {
    const result = backend.validateResponse(body, entry.operationId, status);
    for (const error of result.errors ?? []) {
      const field = (error.instancePath ?? "").split("/").filter(Boolean).join(".");
      problems.push(
        `the mocked ${status} reply does not match the spec: ${field ? `field "${field}" ` : ""}${error.message}`,
      );
    }
  }
  return { status, body, headers, problems };
}

/** The operation's success status and the example (or a sample) of its body. */
function specReply(
  entry: OperationEntry,
  responses: OpenAPIV3.ResponsesObject,
): { status: number; body: unknown } {
  const status = entry.successStatus ?? 200;
  return {
    status,
    body: bodySample(responses[String(status)] as OpenAPIV3.ResponseObject | undefined),
  };
}

function errorReplyBody(responses: OpenAPIV3.ResponsesObject, status: number): unknown {
  if (status < 400) return undefined;
  const documented = responses[String(status)] as OpenAPIV3.ResponseObject | undefined;
  return bodySample(documented) ?? { code: `HTTP_${status}`, message: `mocked ${status} reply` };
}

function bodySample(response: OpenAPIV3.ResponseObject | undefined): unknown {
  const content = response?.content ?? {};
  const media = content["application/json"] ?? Object.values(content)[0];
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  const example = Object.values(media.examples ?? {})[0] as OpenAPIV3.ExampleObject | undefined;
  if (example?.value !== undefined) return example.value;
  return sampleOf(media.schema as OpenAPIV3.SchemaObject | undefined);
}
