// PLACEHOLDER: replaced by the Tencent implementation (issue 2).
import type { CloudDriver } from "../../core/power";
import type { RetryPolicy } from "../../core/retry";
import type { SlidingWindowLimiter } from "../../core/rate-limit";

export interface TencentCredentials {
  secretId: string;
  secretKey: string;
  /** STS session token (X-TC-Token); only with temporary keys. */
  token?: string;
}

export interface TencentDriverOptions {
  /** API Region, e.g. "ap-guangzhou". */
  region: string;
  /** Explicit endpoint (overrides `site`); also read from CLUSTER_POWER_TENCENTCLOUD_ENDPOINT. */
  endpoint?: string;
  /** Host family: "default" cynosdb.tencentcloudapi.com, "intl" cynosdb.intl..., "regional" cynosdb.<region>... */
  site?: "default" | "intl" | "regional";
  /** Explicit credentials; missing fields fall back to TENCENTCLOUD_* env variables. */
  credentials?: Partial<TencentCredentials>;
  env?: NodeJS.ProcessEnv;
  requestTimeoutMs?: number;
  retry?: RetryPolicy;
  limiter?: SlidingWindowLimiter;
}

export function createTencentDriver(_options: TencentDriverOptions): CloudDriver {
  throw new Error("Tencent driver not implemented yet");
}
