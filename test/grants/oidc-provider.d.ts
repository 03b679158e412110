// oidc-provider ships no type declarations; the tests use a small part of it, typed loosely.
declare module "oidc-provider" {
  const Provider: new (
    issuer: string,
    configuration: Record<string, unknown>,
  ) => {
    callback(): (
      req: import("node:http").IncomingMessage,
      res: import("node:http").ServerResponse,
    ) => void;
    // biome-ignore lint/suspicious/noExplicitAny: the provider's models are untyped here
    [key: string]: any;
  };
  export default Provider;
  /** The provider's OAuth errors (`InvalidGrant`, `InvalidTarget`, ...): thrown, answered per RFC 6749 §5.2. */
  type OAuthErrorClass = new (description?: string) => Error;
  export const errors: {
    InvalidGrant: OAuthErrorClass;
    InvalidRequest: OAuthErrorClass;
    InvalidTarget: OAuthErrorClass;
  };
}
