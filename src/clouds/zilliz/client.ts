import type { z } from "zod";
import { CloudApiError, ConfigurationError } from "../../core/errors";
import { httpRequest, TransportError, type HttpRequest, type HttpResponse } from "../../core/http";
import { processLimiter, type SlidingWindowLimiter } from "../../core/rate-limit";
import { DEFAULT_RETRY_POLICY, withRetries, type CallRetry, type RetryNotice, type RetryPolicy, type RetryVerdict } from "../../core/retry";
import { apiUrl, REGION_HEADER, validateClusterId, type ResolvedZillizConfig } from "./config";
import { ClusterData, isRateLimited, ListData, parseResponse, WriteData, type Parsed, type ZillizOperation } from "./responses";

/**
 * The Zilliz Cloud control-plane client: one method per endpoint we call. Each request waits for
 * the process-wide limiter lane of (endpoint, key), goes through src/core/http.ts, and is parsed
 * by `parseResponse`. Reads are retried on transport faults, 5xx and rate limits; writes are
 * retried only when they certainly did not take effect (rate limited, or never sent).
 */

/** Just above the control plane's documented 60 s request timeout. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 65_000;
/** The largest page both versions accept (v1 5..100, v2 1..100). */
export const MAX_PAGE_SIZE = 100;

export interface ZillizClientOptions {
  requestTimeoutMs?: number;
  retry?: RetryPolicy;
  limiter?: SlidingWindowLimiter;
  /** Injected for tests; defaults to src/core/http.ts. */
  send?: (req: HttpRequest) => Promise<HttpResponse>;
  /** Told before each retry of a call. */
  onRetry?: (retry: CallRetry) => void;
}


export class ZillizClient {
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly limiter: SlidingWindowLimiter;
  private readonly send: (req: HttpRequest) => Promise<HttpResponse>;
  private readonly onRetry?: (retry: CallRetry) => void;

  constructor(
    readonly config: ResolvedZillizConfig,
    options: ZillizClientOptions = {},
  ) {
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) throw new ConfigurationError("requestTimeoutMs", "must be a positive number of milliseconds.");
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.limiter = options.limiter ?? processLimiter;
    this.send = options.send ?? httpRequest;
    this.onRetry = options.onRetry;
  }

  describe(clusterId: string, signal?: AbortSignal): Promise<Parsed<ClusterData>> {
    validateClusterId(clusterId);
    return this.read("describe", `/clusters/${encodeURIComponent(clusterId)}`, ClusterData, { clusterId }, signal);
  }

  /** One page of the account's clusters (v2), or of the region's clusters (v1). */
  listPage(page: number, pageSize: number, signal?: AbortSignal): Promise<Parsed<ListData>> {
    // The v1 docs' curl says `current`, their error table says `currentPage`: send both.
    const query: Record<string, number> =
      this.config.apiVersion === "v1" ? { pageSize, current: page, currentPage: page } : { pageSize, currentPage: page };
    return this.read("list", "/clusters", ListData, { query }, signal);
  }

  /**
   * Sends one suspend/resume. A lost response, a 5xx or an unreadable 2xx body may hide an
   * accepted call, so those surface as a TransportError with `sent: true` and the transition
   * engine reads the cluster before deciding to call again.
   */
  async write(operation: "suspend" | "resume", clusterId: string, signal?: AbortSignal): Promise<Parsed<WriteData>> {
    validateClusterId(clusterId);
    const path = `/clusters/${encodeURIComponent(clusterId)}/${operation}`;
    // Only a refusal proves the write did not happen: it is repeated until the deadline.
    const verdict = (error: unknown): RetryVerdict =>
      error instanceof CloudApiError && error.retryable && isCertainlyNotApplied(error) ? "refused" : error instanceof TransportError && !error.sent;
    try {
      return await withRetries(() => this.once("POST", operation, path, WriteData, { clusterId }, signal), verdict, this.retry, signal, this.notify(operation, clusterId));
    } catch (error) {
      if (error instanceof CloudApiError && error.retryable && !isCertainlyNotApplied(error)) {
        throw new TransportError(`${error.message}; the ${operation} may or may not have been applied`, "network", true);
      }
      throw error;
    }
  }

  private read<T>(operation: ZillizOperation, path: string, schema: z.ZodType<T>, extra: { clusterId?: string; query?: Record<string, number> }, signal?: AbortSignal): Promise<Parsed<T>> {
    const verdict = (error: unknown): RetryVerdict => {
      if (error instanceof CloudApiError && error.retryable && isCertainlyNotApplied(error)) return "refused";
      return (error instanceof TransportError && error.kind !== "aborted") || (error instanceof CloudApiError && error.retryable);
    };
    return withRetries(() => this.once("GET", operation, path, schema, extra, signal), verdict, this.retry, signal, this.notify(operation, extra.clusterId));
  }

  private notify(action: ZillizOperation, clusterId: string | undefined): ((notice: RetryNotice) => void) | undefined {
    const onRetry = this.onRetry;
    return onRetry && ((notice) => onRetry({ ...notice, action, ...(clusterId !== undefined && { clusterId }) }));
  }

  private async once<T>(
    method: "GET" | "POST",
    operation: ZillizOperation,
    path: string,
    schema: z.ZodType<T>,
    extra: { clusterId?: string; query?: Record<string, number> },
    signal?: AbortSignal,
  ): Promise<Parsed<T>> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.config.apiKey}`,
      accept: "application/json",
      "user-agent": "pulumi-cluster-power",
    };
    if (this.config.regionHeader) headers[REGION_HEADER] = this.config.regionHeader;
    // The slot counts until the answer is in: the cloud counts a request on arrival, which can
    // be later than our grant by more than the limiter's margin (new connections, slow links).
    const release = await this.limiter.acquireHeld(this.laneKey(operation), signal);
    let res: HttpResponse;
    try {
      res = await this.send({ method, url: apiUrl(this.config, path, extra.query), headers, timeoutMs: this.timeoutMs, signal });
    } finally {
      release();
    }
    return parseResponse(res, schema, { operation, clusterId: extra.clusterId });
  }

  /** Zilliz counts 20 requests/s per user per endpoint: one lane per (host, version, endpoint, key). */
  laneKey(operation: ZillizOperation): string {
    const c = this.config;
    return `zillizcloud:${c.base.host}${c.base.pathname}:${c.apiVersion}:${c.regionHeader ?? ""}:${operation}:${c.keyFingerprint}`;
  }
}

/** Only a rate-limit refusal proves a write was not applied; a 5xx or a garbled body proves nothing. */
function isCertainlyNotApplied(error: CloudApiError): boolean {
  return isRateLimited(error.code, error.httpStatus ?? 0, error.cloudMessage);
}
