import type { CloudName, ClusterSnapshot, WriteReceipt } from "./power";

/**
 * Every error this package throws is one of these classes, each with a stable `code`: ours (the
 * keys of OUR_ERROR_CODES, documented in the README's error catalogue, which a test keeps in step)
 * or the cloud's own. The provider's messages and the CLI's `--json` `error.code` read the same
 * `errorCode()`. Messages never contain secrets: they are built from the cloud's code/message and
 * our own words only, and `redact()` is applied to any text that came from elsewhere.
 */

/** Our own codes, and what each means. The cloud's codes pass through as the cloud spells them. */
export const OUR_ERROR_CODES = {
  ConfigurationError: "an input, config key, flag or environment variable is wrong or missing; found before any API call",
  DeadlineExceeded: "the cluster did not reach the target (or could not be read) within the deadline",
  OperationFailed: "the cloud accepted the call but the job failed, or the cluster stayed put after the allowed calls",
  FailedState: "the cluster is in a state from which no pause/resume can complete",
  Unsupported: "this API can never pause/resume this cluster",
  Interrupted: "stopped by Ctrl-C or SIGTERM",
  Timeout: "no HTTP answer within the request budget",
  NetworkError: "the connection failed (refused, reset, DNS, TLS)",
  IncompleteList: "a cluster list could not be read to its end (it changed while paging, or the paging went wrong); nothing was selected",
  InternalError: "a bug of ours; please report it",
} as const;
export type OurErrorCode = keyof typeof OUR_ERROR_CODES;

/**
 * Marks our errors across copies of the package (two installs in one process, or a provider host
 * and a program): `instanceof` fails across copies, the registered symbol does not.
 */
const BRAND = Symbol.for("pulumi-cluster-power.error");

export abstract class ClusterPowerError extends Error {
  /** Ours (OUR_ERROR_CODES) or the cloud's own. */
  abstract readonly code: string;
  readonly [BRAND] = true;
}

/** True for an error thrown by any copy of this package. */
export function isClusterPowerError(value: unknown): value is ClusterPowerError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** The code of any thrown value: ours, the cloud's, or InternalError for what we did not expect. */
export function errorCode(error: unknown): string {
  return isClusterPowerError(error) ? error.code : "InternalError";
}

/** Bad input or configuration, found before any API call. Names the field and the fix. */
export class ConfigurationError extends ClusterPowerError {
  override readonly name: string = "ConfigurationError";
  readonly code = "ConfigurationError";
  constructor(
    /** The input or setting at fault, e.g. "clusterId" or "<cloud>:secretKey". */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** A mistake in how the command line was invoked (CLI exit code 2). */
export class UsageError extends ConfigurationError {
  override readonly name = "UsageError";
}

/** The cloud answered with an error (or an unusable response). */
export class CloudApiError extends ClusterPowerError {
  override readonly name: string = "CloudApiError";
  readonly cloud: CloudName;
  /** The cloud's error code, e.g. "AuthFailure.SignatureFailure" or "21119"; ours for transport faults. */
  readonly code: string;
  readonly cloudMessage: string;
  readonly requestId?: string;
  /** The API action or operation that failed, in the cloud's own words. */
  readonly action: string;
  readonly httpStatus?: number;
  /** True when retrying the same request may succeed (rate limits, 5xx, transport faults). */
  readonly retryable: boolean;
  /** How long the cloud asked us to wait before trying again (HTTP Retry-After), if it said. */
  readonly retryAfterMs?: number;

  constructor(init: {
    cloud: CloudName;
    code: string;
    message: string;
    action: string;
    requestId?: string;
    httpStatus?: number;
    retryable?: boolean;
    retryAfterMs?: number;
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
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
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
export class TransitionError extends ClusterPowerError {
  override readonly name = "TransitionError";
  constructor(
    message: string,
    readonly reason: "deadline" | "failed-state" | "unsupported" | "operation-failed" | "cloud-error" | "aborted",
    readonly partial: { receipt?: WriteReceipt; lastSnapshot?: ClusterSnapshot; cause?: unknown },
  ) {
    super(message, partial.cause !== undefined ? { cause: partial.cause } : undefined);
  }

  /** A cloud error keeps the cloud's code; every other reason is one of ours. */
  get code(): string {
    if (this.reason === "cloud-error" && this.partial.cause !== undefined) return errorCode(this.partial.cause);
    return TRANSITION_CODES[this.reason];
  }
}

const TRANSITION_CODES: Record<TransitionError["reason"], OurErrorCode> = {
  deadline: "DeadlineExceeded",
  "failed-state": "FailedState",
  unsupported: "Unsupported",
  "operation-failed": "OperationFailed",
  "cloud-error": "InternalError",
  aborted: "Interrupted",
};

/** A request that produced no HTTP response. `sent` says whether the request may have reached the server. */
export class TransportError extends ClusterPowerError {
  override readonly name = "TransportError";
  constructor(
    message: string,
    readonly kind: "timeout" | "network" | "aborted",
    readonly sent: boolean,
  ) {
    super(message);
  }

  get code(): OurErrorCode {
    return this.kind === "timeout" ? "Timeout" : this.kind === "aborted" ? "Interrupted" : "NetworkError";
  }
}

/**
 * A cluster list (findClusters, `cluster-power list`) could not be read to its end: it kept
 * changing while it was paged, a page repeated, or it ran past the page cap. Selecting from part
 * of a list would quietly drop clusters (and so delete their resources), so nothing is returned.
 */
export class IncompleteListError extends ClusterPowerError {
  override readonly name = "IncompleteListError";
  readonly code = "IncompleteList";
}

/** A refresh that could not read the cluster within timeoutSeconds; nothing was changed. */
export class ReadDeadlineError extends ClusterPowerError {
  override readonly name = "ReadDeadlineError";
  readonly code = "DeadlineExceeded";
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

/**
 * Echoes a value someone typed into a message: JSON-quoted, secrets removed, and cut to `max`
 * characters (a 100k-character id is not repeated back whole). Redacted before the cut, so a
 * secret the cut would split cannot survive in part.
 */
export function quoteInput(value: unknown, max = 80): string {
  const text = redact(JSON.stringify(value) ?? String(value));
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${typeof value === "string" ? value.length : text.length} characters)`;
}

/** A short, secret-free description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return redact(error.message);
  return redact(String(error));
}
