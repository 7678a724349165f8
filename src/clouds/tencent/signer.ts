import { createHash, createHmac } from "node:crypto";

/**
 * TencentCloud API 3.0 request signing (TC3-HMAC-SHA256), as documented in "签名方法 v3"
 * (https://cloud.tencent.com/document/api/213/30654). Pure: no clock, no I/O, so both the client
 * and the emulator use it and tests can pin every intermediate value.
 */

export const TC3_ALGORITHM = "TC3-HMAC-SHA256";

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  /** The product's service name, e.g. "cynosdb" (first label of the product host). */
  service: string;
  /** X-TC-Timestamp: UNIX seconds. The credential date is its UTC day. */
  timestamp: number;
  method: "POST" | "GET";
  /** Query string without "?" (GET only; "" for POST). */
  query?: string;
  /** Headers to sign, any case; must include content-type and host. Values are signed as sent. */
  headers: Record<string, string>;
  /** The exact bytes that are sent as the body. */
  payload: string | Uint8Array;
}

export interface Tc3Signature {
  authorization: string;
  signature: string;
  signedHeaders: string;
  credentialScope: string;
  canonicalRequest: string;
  stringToSign: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** The UTC calendar day of a UNIX timestamp, YYYY-MM-DD (a local day breaks requests near midnight). */
export function utcDate(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

/** SecretDate -> SecretService -> SecretSigning, exposed so tests can check the published values. */
export function deriveSigningKey(secretKey: string, date: string, service: string) {
  const secretDate = hmac(`TC3${secretKey}`, date);
  const secretService = hmac(secretDate, service);
  const secretSigning = hmac(secretService, "tc3_request");
  return { secretDate, secretService, secretSigning };
}

export function signTc3(input: Tc3Input): Tc3Signature {
  const headers = Object.entries(input.headers)
    .map(([k, v]) => [k.trim().toLowerCase(), v.trim().toLowerCase()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = headers.map(([k]) => k).join(";");
  const canonicalRequest = [
    input.method,
    "/",
    input.query ?? "",
    headers.map(([k, v]) => `${k}:${v}\n`).join(""),
    signedHeaders,
    sha256Hex(input.payload),
  ].join("\n");

  const date = utcDate(input.timestamp);
  const credentialScope = `${date}/${input.service}/tc3_request`;
  const stringToSign = [TC3_ALGORITHM, String(input.timestamp), credentialScope, sha256Hex(canonicalRequest)].join("\n");
  const { secretSigning } = deriveSigningKey(input.secretKey, date, input.service);
  const signature = createHmac("sha256", secretSigning).update(stringToSign, "utf8").digest("hex");

  return {
    authorization: `${TC3_ALGORITHM} Credential=${input.secretId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    signature,
    signedHeaders,
    credentialScope,
    canonicalRequest,
    stringToSign,
  };
}

export interface ParsedAuthorization {
  secretId: string;
  date: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION =
  /^TC3-HMAC-SHA256 Credential=([^/\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s]+)\/tc3_request, ?SignedHeaders=([a-z0-9;_-]+), ?Signature=([0-9a-f]{64})$/;

/** Splits an Authorization header; undefined when it is not a well-formed TC3 header. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  const m = header ? AUTHORIZATION.exec(header.trim()) : null;
  if (!m) return undefined;
  return { secretId: m[1], date: m[2], service: m[3], signedHeaders: m[4].split(";"), signature: m[5] };
}
