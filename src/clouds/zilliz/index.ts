// PLACEHOLDER: replaced by the Zilliz implementation (issue 3).
import type { CloudDriver } from "../../core/power";
import type { RetryPolicy } from "../../core/retry";
import type { SlidingWindowLimiter } from "../../core/rate-limit";

export interface ZillizDriverOptions {
  /** Zilliz region id, e.g. "aws-us-west-2" or "ali-cn-hangzhou" (selects the China host). */
  region?: string;
  apiVersion?: "v1" | "v2";
  /** Explicit base URL; also read from CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT. */
  endpoint?: string;
  /** Explicit API key; falls back to ZILLIZCLOUD_API_KEY. */
  apiKey?: string;
  env?: NodeJS.ProcessEnv;
  requestTimeoutMs?: number;
  retry?: RetryPolicy;
  limiter?: SlidingWindowLimiter;
}

export function createZillizDriver(_options: ZillizDriverOptions): CloudDriver {
  throw new Error("Zilliz driver not implemented yet");
}
