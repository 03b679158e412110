import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  AbortedError,
  createTokenProvider,
  type DeviceCodePrompt,
  OAuthError,
  type TokenEvent,
} from "../../src/index.js";
import { startLoginServer, userAtDevicePage } from "./login-server.js";
import { CLIENT_ID, CLIENT_SECRET } from "./oidc-server.js";

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

describe("device authorization grant (RFC 8628) against oidc-provider", () => {
  it("shows the verification URI and user code, polls, and gets tokens once the user approves", async () => {
    // The user approves on the provider's own pages (verification URI, confirmation, sign-in
    // and consent), between the second and third poll; no real waiting.
    const server = await startLoginServer();
    closers.push(server.close);
    const prompts: DeviceCodePrompt[] = [];
    const events: TokenEvent[] = [];
    let polls = 0;
    const sleeps: number[] = [];
    let userPages: Awaited<ReturnType<typeof userAtDevicePage>> | undefined;
    const provider = createTokenProvider({
      issuer: server.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scope: "openid offline_access",
      grant: { type: "device_code", onDeviceCode: (prompt) => prompts.push(prompt) },
      onEvent: (event) => events.push(event),
      sleep: async (ms) => {
        sleeps.push(ms);
        polls++;
        if (polls === 3) {
          userPages = await userAtDevicePage(prompts[0]?.verificationUriComplete ?? "", "approve");
        }
      },
    });
    const token = await provider.getToken();
    expect(token.accessToken).toMatch(/^[\x21-\x7e]+$/);
    expect(token.refreshToken).toMatch(/^[\x21-\x7e]+$/);
    expect(prompts).toHaveLength(1);
    expect(prompts[0]?.verificationUri).toBe(`${server.issuer}/device`);
    expect(prompts[0]?.verificationUriComplete).toBe(
      `${server.issuer}/device?user_code=${prompts[0]?.userCode}`,
    );
    // The user code form, then its confirmation; then sign-in and consent; then success.
    expect(userPages?.submitted).toEqual(["xsrf,user_code", "xsrf,user_code,confirm"]);
    expect(server.interactions).toEqual(["login", "consent"]);
    expect(userPages?.page.status).toBe(200);
    expect(userPages?.page.html).toContain("Sign-in Success");
    expect(events.filter((event) => event.type === "device-code")).toHaveLength(1);
    // oidc-provider's default interval is 5 seconds.
    expect(sleeps).toEqual([5000, 5000, 5000]);
    expect(server.seen.filter((line) => line === "POST /token")).toHaveLength(3);
    expect(server.seen.filter((line) => line === "POST /device/auth")).toHaveLength(1);
  });

  it("ends with access_denied when the user cancels on the provider's confirmation page", async () => {
    const server = await startLoginServer();
    closers.push(server.close);
    let uri = "";
    let userPages: Awaited<ReturnType<typeof userAtDevicePage>> | undefined;
    const provider = createTokenProvider({
      issuer: server.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scope: "openid",
      grant: {
        type: "device_code",
        onDeviceCode: (prompt) => (uri = prompt.verificationUriComplete ?? ""),
      },
      sleep: async () => {
        userPages ??= await userAtDevicePage(uri, "deny");
      },
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(userPages?.submitted).toEqual(["xsrf,user_code", "xsrf,user_code,abort"]);
    expect(server.interactions).toEqual([]);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ error: "access_denied" });
    expect((error as Error).message).toContain("The sign-in was denied");
  });
});

type Answer = [number, Record<string, unknown>];

/** A node:http device authorization server whose token answers follow `answers`, in order. */
async function fakeDeviceServer(device: Record<string, unknown>, answers: Answer[]) {
  const forms: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const send = ([status, json]: Answer) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
      if (req.url === "/device") return send([200, device]);
      forms.push(new URLSearchParams(body));
      send(answers.shift() ?? [400, { error: "authorization_pending" }]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { origin, forms };
}

const DEVICE = {
  device_code: "dev-code-123",
  user_code: "WDJB-MJHT",
  verification_uri: "https://example.com/device",
  expires_in: 60,
  interval: 7,
};
const pending: Answer = [400, { error: "authorization_pending" }];

/** A provider over the fake server with a fake clock that the fake sleep advances. */
function fakeClockProvider(origin: string, signal?: AbortSignal) {
  let now = 1_700_000_000_000;
  const sleeps: number[] = [];
  const prompts: DeviceCodePrompt[] = [];
  const provider = createTokenProvider({
    tokenUrl: `${origin}/token`,
    deviceAuthorizationUrl: `${origin}/device`,
    clientId: CLIENT_ID,
    clientAuth: "none",
    grant: {
      type: "device_code",
      onDeviceCode: (prompt) => prompts.push(prompt),
      ...(signal ? { signal } : {}),
    },
    clock: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  });
  return { provider, sleeps, prompts };
}

describe("device flow polling outcomes (RFC 8628 §3.5), fake clock", () => {
  it("waits the server's interval while authorization_pending, sending the device code", async () => {
    const fake = await fakeDeviceServer(DEVICE, [
      pending,
      pending,
      [200, { access_token: "at-1", token_type: "Bearer", expires_in: 300 }],
    ]);
    const { provider, sleeps, prompts } = fakeClockProvider(fake.origin);
    expect((await provider.getToken()).accessToken).toBe("at-1");
    expect(sleeps).toEqual([7000, 7000, 7000]);
    expect(prompts).toEqual([
      {
        verificationUri: "https://example.com/device",
        userCode: "WDJB-MJHT",
        expiresAt: 1_700_000_000_000 + 60_000,
      },
    ]);
    for (const form of fake.forms) {
      expect(Object.fromEntries(form)).toEqual({
        grant_type: DEVICE_GRANT,
        device_code: "dev-code-123",
        client_id: CLIENT_ID,
      });
    }
  });

  it("slow_down adds 5 seconds to the interval, for every later poll", async () => {
    const fake = await fakeDeviceServer(DEVICE, [
      pending,
      [400, { error: "slow_down" }],
      pending,
      [400, { error: "slow_down" }],
      [200, { access_token: "at-2", token_type: "Bearer" }],
    ]);
    const { provider, sleeps } = fakeClockProvider(fake.origin);
    expect((await provider.getToken()).accessToken).toBe("at-2");
    expect(sleeps).toEqual([7000, 7000, 12000, 12000, 17000]);
  });

  it("access_denied ends the flow at once", async () => {
    const fake = await fakeDeviceServer(DEVICE, [pending, [400, { error: "access_denied" }]]);
    const { provider, sleeps } = fakeClockProvider(fake.origin);
    await expect(provider.getToken()).rejects.toMatchObject({
      code: "ERR_OAUTH",
      error: "access_denied",
    });
    expect(sleeps).toHaveLength(2);
  });

  it("expired_token from the server ends the flow with advice to start again", async () => {
    const fake = await fakeDeviceServer(DEVICE, [[400, { error: "expired_token" }]]);
    const { provider } = fakeClockProvider(fake.origin);
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ error: "expired_token" });
    expect((error as Error).message).toContain("run again and enter the new code sooner");
  });

  it("stops polling when expires_in has passed, even if the server keeps saying pending", async () => {
    const fake = await fakeDeviceServer({ ...DEVICE, expires_in: 30, interval: 5 }, []);
    const { provider, sleeps } = fakeClockProvider(fake.origin);
    await expect(provider.getToken()).rejects.toMatchObject({ error: "expired_token" });
    // Polls at 5, 10, 15, 20, 25 s; at 30 s the code has expired and nothing is sent.
    expect(fake.forms).toHaveLength(5);
    expect(sleeps).toEqual([5000, 5000, 5000, 5000, 5000, 5000]);
  });

  it("polls every 5 seconds when the server names no interval (RFC 8628 §3.2)", async () => {
    const { interval: _, ...noInterval } = DEVICE;
    const fake = await fakeDeviceServer(noInterval, [[200, { access_token: "at-3" }]]);
    const { provider, sleeps } = fakeClockProvider(fake.origin);
    expect((await provider.getToken()).accessToken).toBe("at-3");
    expect(sleeps).toEqual([5000]);
  });

  it("is cancelled through the grant's AbortSignal while it waits", async () => {
    const fake = await fakeDeviceServer(DEVICE, []);
    const controller = new AbortController();
    const provider = createTokenProvider({
      tokenUrl: `${fake.origin}/token`,
      deviceAuthorizationUrl: `${fake.origin}/device`,
      clientId: CLIENT_ID,
      clientAuth: "none",
      // The real timer: aborted as soon as the code is shown, so nothing waits 7 seconds.
      grant: {
        type: "device_code",
        signal: controller.signal,
        onDeviceCode: () => controller.abort(),
      },
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect(fake.forms).toHaveLength(0);
  });

  it("refuses a device response with control characters in the user code", async () => {
    const fake = await fakeDeviceServer({ ...DEVICE, user_code: "\u001b[2JGOTCHA" }, []);
    const { provider, prompts } = fakeClockProvider(fake.origin);
    await expect(provider.getToken()).rejects.toMatchObject({
      code: "ERR_TOKEN_RESPONSE",
      message: expect.stringContaining("no usable user_code"),
    });
    expect(prompts).toHaveLength(0);
  });

  it("needs a device authorization endpoint", async () => {
    const { provider } = fakeClockProvider("http://127.0.0.1:9");
    const bare = createTokenProvider({
      tokenUrl: "http://127.0.0.1:9/token",
      clientId: CLIENT_ID,
      clientAuth: "none",
      grant: { type: "device_code" },
    });
    void provider;
    await expect(bare.getToken()).rejects.toThrow(/deviceAuthorizationUrl/);
  });
});
