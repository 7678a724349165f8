import type { CloudName, ClusterSnapshot, WriteReceipt } from "./power";

/**
 * Every error this package throws is one of these classes. Messages never contain secrets: they
 * are built from the cloud's code/message and our own words only, and `redact()` is applied to any
 * text that came from elsewhere (network errors can echo URLs and headers).
 */

/** Bad input or configuration, found before any API call. Names the field and the fix. */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
  constructor(
    /** The input or setting at fault, e.g. "clusterId" or "tencentcloud:secretKey". */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** The cloud answered with an error (or an unusable response). */
export class CloudApiError extends Error {
  override readonly name: string = "CloudApiError";
  readonly cloud: CloudName;
  /** The cloud's error code, e.g. "AuthFailure.SignatureFailure" or "21119"; ours for transport faults. */
  readonly code: string;
  readonly cloudMessage: string;
  readonly requestId?: string;
  /** Tencent action or Zilliz operation, e.g. "PauseServerless" or "suspend". */
  readonly action: string;
  readonly httpStatus?: number;
  /** True when retrying the same request may succeed (rate limits, 5xx, transport faults). */
  readonly retryable: boolean;

  constructor(init: {
    cloud: CloudName;
    code: string;
    message: string;
    action: string;
    requestId?: string;
    httpStatus?: number;
    retryable?: boolean;
  }) {
    const rid = init.requestId ? `, RequestId ${init.requestId}` : "";
    const http = init.httpStatus !== undefined ? `, HTTP ${init.httpStatus}` : "";
    super(`${init.cloud} ${init.action} failed: [${init.code}] ${init.message}${http}${rid}`);
    this.cloud = init.cloud;
    this.code = init.code;
    this.cloudMessage = init.message;
    this.action = init.action;
    this.requestId = init.requestId;
    this.httpStatus = init.httpStatus;
    this.retryable = init.retryable ?? false;
  }
}

/** The cloud says the cluster does not exist (or is not visible with these credentials). */
export class ClusterNotFoundError extends CloudApiError {
  override readonly name = "ClusterNotFoundError";
  constructor(init: ConstructorParameters<typeof CloudApiError>[0] & { clusterId: string }) {
    super({ ...init, retryable: false });
    this.clusterId = init.clusterId;
  }
  readonly clusterId: string;
}

/**
 * A transition did not reach its target. Carries what is known so callers never forget an
 * operation that started: the receipt of the write call (if one was made) and the last reading.
 */
export class TransitionError extends Error {
  override readonly name = "TransitionError";
  constructor(
    message: string,
    readonly reason: "deadline" | "failed-state" | "unsupported" | "operation-failed" | "cloud-error" | "aborted",
    readonly partial: { receipt?: WriteReceipt; lastSnapshot?: ClusterSnapshot; cause?: unknown },
  ) {
    super(message, partial.cause !== undefined ? { cause: partial.cause } : undefined);
  }
}

const SECRET_PATTERNS: RegExp[] = [
  /(authorization\s*[:=]\s*)("?)[^"\n,}]+/gi,
  /(bearer\s+)[A-Za-z0-9._~+/=-]+/gi,
  /(signature=)[0-9a-f]+/gi,
  /(x-tc-token\s*[:=]\s*)("?)[^"\n,}]+/gi,
];

const knownSecrets = new Set<string>();

/** Registers a credential value so that `redact` removes it wherever it shows up. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) knownSecrets.add(value);
}

/** Removes registered secrets and credential-looking fragments from text of unknown origin. */
export function redact(text: string): string {
  let out = text;
  for (const secret of knownSecrets) out = out.split(secret).join("***");
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, (_m, prefix: string) => `${prefix}***`);
  return out;
}

/** A short, secret-free description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return redact(error.message);
  return redact(String(error));
}
