/** RFC 8628 §3.4: the grant type of the device access token request. */
export const DEVICE_CODE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";

/** What the user must do to approve the device (RFC 8628 §3.3), for a prompt to show. */
export interface DeviceCodePrompt {
  /** The page where the user enters `userCode`. */
  verificationUri: string;
  /** The same page with the code filled in, when the server offers one (RFC 8628 §3.3.1). */
  verificationUriComplete?: string;
  userCode: string;
  /** Epoch milliseconds when the code stops working. */
  expiresAt: number;
}
