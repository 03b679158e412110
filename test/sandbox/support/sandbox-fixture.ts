import { type Sandbox, type SandboxOptions, startSandbox } from "../../../src/sandbox/index.js";
import { type Answer, SpecCheckedClient } from "./spec-checked-client.js";

export const TOKEN_PATH = "/idm/v2/token";
export const TENANTS_PATH = "/idm/api/v8/tenants";
export const COKE_ID = "0b5c8c1e-2a41-4d55-9a0e-5d1c6a7f3e02";
export const SPRITE_ID = "0b5c8c1e-2a41-4d55-9a0e-5d1c6a7f3e04";
export const UNKNOWN_ID = "6d0f7c39-58a4-4a59-9d3e-000000000000";

/** base64(id:secret): what the MSX guide sends. */
export function rawBasic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
}

/** base64(urlencode(id):urlencode(secret)): RFC 6749 §2.3.1. */
export function formEncodedBasic(id: string, secret: string): string {
  const encode = (text: string) => new URLSearchParams({ v: text }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64")}`;
}

/** A sandbox with a movable clock, a few users with different roles and a second client. */
export interface Fixture {
  readonly sandbox: Sandbox;
  readonly api: SpecCheckedClient;
  readonly clock: { now: number };
  token(fields: Record<string, string>, authorization?: string | null): Promise<Answer>;
  signIn(username?: string, password?: string): Promise<string>;
}

export const USERS = {
  viewer: { username: "viewer", password: "viewer-password", roles: ["ROLE_TENANT_VIEWER"] },
  nobody: { username: "nobody", password: "nobody-password", roles: [] },
  admin: { username: "admin", password: "admin-password", roles: ["ROLE_TENANT_ADMIN"] },
} as const;

export const SERVICE_CLIENT = {
  clientId: "service:client+1",
  clientSecret: "s3cret/with+special%chars",
  grantTypes: ["client_credentials"],
};

export async function startFixture(options: SandboxOptions = {}): Promise<Fixture> {
  const clock = { now: Date.UTC(2030, 0, 1) };
  const sandbox = await startSandbox({
    clock: () => clock.now,
    users: [
      { username: "superuser", password: "sandbox-password" },
      ...Object.values(USERS).map((user) => ({ ...user, roles: [...user.roles] })),
    ],
    clients: [
      { clientId: "passgrant-sandbox-client", clientSecret: "sandbox-client-secret" },
      SERVICE_CLIENT,
    ],
    ...options,
  });
  const api = await SpecCheckedClient.create(sandbox.url);
  const token = (fields: Record<string, string>, authorization?: string | null) =>
    api.call(TOKEN_PATH, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...(authorization !== null && {
          authorization: authorization ?? rawBasic(sandbox.clientId, sandbox.clientSecret),
        }),
      },
      body: new URLSearchParams(fields).toString(),
    });
  return {
    sandbox,
    api,
    clock,
    token,
    async signIn(username = sandbox.username, password = sandbox.password) {
      const answer = await token({ grant_type: "password", username, password });
      if (answer.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(answer.body)}`);
      return answer.body.access_token as string;
    },
  };
}
