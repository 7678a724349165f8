import type { CloudDriver } from "../../core/power";
import type { RetryPolicy } from "../../core/retry";
import type { SlidingWindowLimiter } from "../../core/rate-limit";
import { buildZillizDriver } from "./driver";

export interface ZillizDriverOptions {
  /** Zilliz region id, e.g. "aws-us-west-2" or "ali-cn-hangzhou" (selects the China host). Required for v1. */
  region?: string;
  /** "v2" (default) or "v1" (the older per-region hosts). */
  apiVersion?: "v1" | "v2";
  /**
   * Explicit base URL; also read from CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT. https, or plain http to
   * loopback only. With or without a trailing /v1 or /v2. On v1 a `{region}` in it is replaced by
   * the region; otherwise the region travels in the X-Cluster-Power-Region header.
   */
  endpoint?: string;
  /** v2: force the global (api.cloud.zilliz.com) or China (api.cloud.zilliz.com.cn) site. */
  site?: "global" | "china";
  /**
   * v1 China domain after `controller.api.{region}.`: "cloud.zilliz.com.cn" (default, as in the
   * seed doc and Terraform v1) or "zilliz.com.cn" (current China docs). Which works is UNCONFIRMED.
   */
  v1ChinaDomain?: string;
  /** Explicit API key; falls back to ZILLIZCLOUD_API_KEY. */
  apiKey?: string;
  env?: NodeJS.ProcessEnv;
  /** Per-request budget (default 65 s, just above the control plane's 60 s). */
  requestTimeoutMs?: number;
  retry?: RetryPolicy;
  limiter?: SlidingWindowLimiter;
  /** Extra codes that mean "wrong state for this suspend/resume" (the live code is UNCONFIRMED). */
  stateConflictCodes?: string[];
  /** Clusters per list page for describeMany (5..100, default 100). */
  pageSize?: number;
}

export function createZillizDriver(options: ZillizDriverOptions): CloudDriver {
  return buildZillizDriver(options);
}

export { ZILLIZ_API_KEY_ENV, ZILLIZ_ENDPOINT_ENV, REGION_HEADER, keyFingerprint } from "./config";
export { powerOf, snapshotOf } from "./status";
