import { z } from "zod";
import { CloudApiError, redact } from "../../core/errors";
import { httpRequest, retryAfterMs, TransportError, type HttpResponse } from "../../core/http";
import { SlidingWindowLimiter } from "../../core/rate-limit";
import { withRetries, type CallRetry, type RetryPolicy, type RetryVerdict } from "../../core/retry";
import { CYNOSDB_SERVICE, CYNOSDB_VERSION, type TencentCredentials } from "./config";
import { signTc3 } from "./signer";
import type { StrategyChange } from "./strategy";

/**
 * The cynosdb (TDSQL-C) API 3.0 client: signs, paces, sends, retries and validates the seven
 * actions we use. Every response goes through zod; anything unusable becomes a CloudApiError (or,
 * for a pause/resume that may have been applied, a TransportError so the engine re-reads first).
 */

/** DescribeClusters is documented at 1000 requests/s (every other action we call: 20/s). */
export const DESCRIBE_CLUSTERS_RATE_LIMIT = { limit: 1000, windowMs: 1000, marginMs: 50 };
/** The process-wide lanes for DescribeClusters, separate from core's 20/s processLimiter. */
export const describeClustersLimiter = new SlidingWindowLimiter(DESCRIBE_CLUSTERS_RATE_LIMIT);

export type ActionKind = "read" | "write";

/** Codes worth another attempt: throttling, "try again later", and a few internal errors. */
const RETRYABLE_PREFIXES = ["RequestLimitExceeded", "ResourceUnavailable", "ServiceUnavailable"];
const RETRYABLE_CODES = new Set([
  "FailedOperation.FlowCreateError",
  "FailedOperation.DatabaseAccessError",
  "InternalError",
  "InternalError.SystemError",
  "InternalError.UnknownError",
  "InternalError.DbOperationFailed",
  "InternalError.InternalHttpServerError",
]);

export function isRetryableCode(code: string): boolean {
  return RETRYABLE_CODES.has(code) || RETRYABLE_PREFIXES.some((p) => code === p || code.startsWith(`${p}.`));
}

/**
 * A rate-limit refusal (RequestLimitExceeded and its sub-codes, or an HTTP 429 from a gateway):
 * proof that the call did not happen, so it is repeated until the operation's deadline.
 */
export function isRefusal(error: CloudApiError): boolean {
  return error.code === "RequestLimitExceeded" || error.code.startsWith("RequestLimitExceeded.") || error.httpStatus === 429;
}

const ClusterFields = z.object({
  ClusterId: z.string(),
  ClusterName: z.string().nullish(),
  DbMode: z.string().nullish(),
  Status: z.string().nullish(),
  ServerlessStatus: z.string().nullish(),
  Region: z.string().nullish(),
  // The SDK types say a Tag has both fields; the docs allow the array itself to be null.
  ResourceTags: z.array(z.object({ TagKey: z.string(), TagValue: z.string().nullish() })).nullish(),
});

const RequestId = z.string().min(1);
export const schemas = {
  write: z.object({ FlowId: z.number().int(), RequestId }),
  detail: z.object({ Detail: ClusterFields, RequestId }),
  list: z.object({ TotalCount: z.number().int(), ClusterSet: z.array(ClusterFields).nullish(), RequestId }),
  flow: z.object({ Status: z.number().int(), RequestId }),
  strategy: z.object({ AutoPause: z.enum(["yes", "no"]), AutoPauseDelay: z.number().int().nullish(), RequestId }),
  // TaskId is the documented one; FlowId is deprecated but still answered by some versions.
  strategyChange: z.object({ TaskId: z.number().int().nullish(), FlowId: z.number().int().nullish(), RequestId }),
};

const Envelope = z.object({ Response: z.record(z.string(), z.unknown()) });
const ErrorBody = z.object({
  Error: z.object({ Code: z.string().min(1), Message: z.string().nullish() }),
  RequestId: z.string().nullish(),
});

export interface CynosdbClientOptions {
  region: string;
  endpoint: URL;
  credentials: TencentCredentials;
  requestTimeoutMs: number;
  retry: RetryPolicy;
  /** 20/s lanes, one per action per SecretId. */
  limiter: SlidingWindowLimiter;
  /** 1000/s lanes for DescribeClusters. */
  batchLimiter: SlidingWindowLimiter;
  now?: () => number;
  /** Told before each retry (see DriverRequest.onRetry). */
  onRetry?: (retry: CallRetry) => void;
}

export class CynosdbClient {
  private readonly now: () => number;

  constructor(private readonly options: CynosdbClientOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The API Region every request of this client names. */
  get region(): string {
    return this.options.region;
  }

  pauseServerless(clusterId: string, forcePause: boolean, signal?: AbortSignal) {
    // ForcePause is always explicit: the API's default (1) drops user connections.
    return this.call("PauseServerless", { ClusterId: clusterId, ForcePause: forcePause ? 1 : 0 }, schemas.write, "write", signal);
  }

  resumeServerless(clusterId: string, signal?: AbortSignal) {
    return this.call("ResumeServerless", { ClusterId: clusterId }, schemas.write, "write", signal);
  }

  describeClusterDetail(clusterId: string, signal?: AbortSignal) {
    return this.call("DescribeClusterDetail", { ClusterId: clusterId }, schemas.detail, "read", signal);
  }

  describeClusters(clusterIds: string[], page: { limit: number; offset: number }, signal?: AbortSignal) {
    const params = {
      Limit: page.limit,
      Offset: page.offset,
      Filters: [{ Names: ["ClusterId"], Values: clusterIds, ExactMatch: true }],
    };
    return this.call("DescribeClusters", params, schemas.list, "read", signal);
  }

  /** One page of every MySQL cluster in the region (no filter), for selecting clusters by tag. */
  listClusters(page: { limit: number; offset: number }, signal?: AbortSignal) {
    return this.call("DescribeClusters", { DbType: "MYSQL", Limit: page.limit, Offset: page.offset }, schemas.list, "read", signal);
  }

  describeFlow(flowId: number, signal?: AbortSignal) {
    return this.call("DescribeFlow", { FlowId: flowId }, schemas.flow, "read", signal);
  }

  describeServerlessStrategy(clusterId: string, signal?: AbortSignal) {
    return this.call("DescribeServerlessStrategy", { ClusterId: clusterId }, schemas.strategy, "read", signal);
  }

  /** Only the given fields: any field sent is set, so MinCpu, MaxCpu and the rest stay out. */
  modifyServerlessStrategy(clusterId: string, change: StrategyChange, signal?: AbortSignal) {
    return this.call("ModifyServerlessStrategy", { ClusterId: clusterId, ...change }, schemas.strategyChange, "write", signal);
  }

  /** One action, retried as a whole (so each attempt is paced and signed afresh). */
  async call<T>(action: string, params: object, schema: z.ZodType<T>, kind: ActionKind, signal?: AbortSignal): Promise<T> {
    const body = JSON.stringify(params);
    let reSigned = false;
    const shouldRetry = (error: unknown): RetryVerdict => {
      if (error instanceof CloudApiError) {
        if (error.code === "AuthFailure.SignatureExpire" && !reSigned) return (reSigned = true);
        if (isRefusal(error)) return "refused";
        return error.retryable;
      }
      // A read is safe to repeat. A write is repeated only when it surely never left this machine.
      if (error instanceof TransportError) return error.kind !== "aborted" && (kind === "read" || !error.sent);
      return false;
    };
    const clusterId = "ClusterId" in params && typeof params.ClusterId === "string" ? params.ClusterId : undefined;
    const { onRetry } = this.options;
    return withRetries(
      () => this.attempt(action, body, schema, kind, signal),
      shouldRetry,
      this.options.retry,
      signal,
      onRetry && ((notice) => onRetry({ ...notice, action, ...(clusterId !== undefined && { clusterId }) })),
    );
  }

  private async attempt<T>(action: string, body: string, schema: z.ZodType<T>, kind: ActionKind, signal?: AbortSignal): Promise<T> {
    const { credentials } = this.options;
    const limiter = action === "DescribeClusters" ? this.options.batchLimiter : this.options.limiter;
    // The slot is held until the response is in, so connection set-up latency cannot bunch arrivals.
    const release = await limiter.acquireHeld(`tencentcloud:${credentials.secretId}:${action}`, signal);
    try {
      return await this.send(action, body, schema, kind, signal);
    } finally {
      release();
    }
  }

  private async send<T>(action: string, body: string, schema: z.ZodType<T>, kind: ActionKind, signal?: AbortSignal): Promise<T> {
    const { credentials, endpoint, region } = this.options;

    const timestamp = Math.floor(this.now() / 1000);
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "X-TC-Action": action,
      "X-TC-Version": CYNOSDB_VERSION,
      "X-TC-Timestamp": String(timestamp),
      "X-TC-Region": region,
      "X-TC-RequestClient": "pulumi-cluster-power",
    };
    if (credentials.token) headers["X-TC-Token"] = credentials.token;
    const { authorization } = signTc3({
      secretId: credentials.secretId,
      secretKey: credentials.secretKey,
      // Always the product's name, also for an overridden endpoint such as http://127.0.0.1:PORT.
      service: CYNOSDB_SERVICE,
      timestamp,
      method: "POST",
      headers: { "content-type": headers["Content-Type"], host: endpoint.host, "x-tc-action": action },
      payload: body,
    });
    headers.Authorization = authorization;

    const response = await httpRequest({
      method: "POST",
      url: endpoint,
      headers,
      body,
      timeoutMs: this.options.requestTimeoutMs,
      signal,
    });
    return parseResponse(action, kind, response, schema);
  }
}

/** Turns one HTTP response into data or a CloudApiError (exported for unit tests). */
export function parseResponse<T>(action: string, kind: ActionKind, response: HttpResponse, schema: z.ZodType<T>): T {
  const retryAfter = retryAfterMs(response.headers["retry-after"]);
  const fail = (code: string, message: string, extra: { requestId?: string; retryable?: boolean } = {}) =>
    new CloudApiError({ cloud: "tencentcloud", code, message, action, httpStatus: response.status, ...(retryAfter !== undefined && { retryAfterMs: retryAfter }), ...extra });

  let json: unknown;
  let parsed = false;
  try {
    json = JSON.parse(response.text);
    parsed = true;
  } catch {
    /* handled below */
  }
  const envelope = parsed ? Envelope.safeParse(json) : undefined;
  const error = envelope?.success ? ErrorBody.safeParse(envelope.data.Response) : undefined;

  if (error?.success) {
    const { Code, Message } = error.data.Error;
    const hint = Code === "AuthFailure.SignatureExpire" ? " (check this machine's clock: TC3 signatures expire after 5 minutes of skew)" : "";
    throw fail(Code, redact(`${Message ?? ""}${hint}`), {
      requestId: error.data.RequestId ?? undefined,
      retryable: isRetryableCode(Code) || response.status >= 500,
    });
  }
  if (response.status !== 200) {
    // Gateways answer 5xx with HTML; the API itself always uses HTTP 200.
    // Redact before cutting, so a secret split by the cut cannot slip through half-masked.
    const snippet = redact(response.text).replace(/\s+/g, " ").slice(0, 160);
    throw fail("ClientError.HttpStatusCodeError", `HTTP ${response.status} (${response.headers["content-type"] ?? "no content type"}): ${snippet}`, {
      retryable: response.status >= 500 || response.status === 429,
    });
  }

  const data = envelope?.success ? schema.safeParse(envelope.data.Response) : undefined;
  if (data?.success) return data.data;

  const requestId = envelope?.success && typeof envelope.data.Response.RequestId === "string" ? envelope.data.Response.RequestId : undefined;
  const problem = !parsed
    ? `response is not valid JSON: ${redact(response.text).slice(0, 80)}`
    : `unexpected response shape (${(data?.error ?? envelope?.error)?.issues.map((i) => `${i.path.join(".") || "Response"}: ${i.message}`).join("; ")})`;
  if (kind === "write") {
    // The cloud answered, so the request arrived; it may have been applied. Never re-send blindly.
    throw new TransportError(`${action}: ${problem}${requestId ? `, RequestId ${requestId}` : ""}; the request may have been applied`, "network", true);
  }
  // A cut-off body is worth another read; a shape we do not understand will not change by asking again.
  throw fail(parsed ? "ClientError.UnexpectedResponse" : "ClientError.ParseJsonError", problem, { requestId, retryable: !parsed });
}

