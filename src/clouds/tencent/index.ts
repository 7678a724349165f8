import type { CloudDriver } from "../../core/power";
import { processLimiter, type SlidingWindowLimiter } from "../../core/rate-limit";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../../core/retry";
import { CynosdbClient, describeClustersLimiter } from "./client";
import { resolveCredentials, resolveEndpoint, validateRegion, type TencentCredentials, type TencentSite } from "./config";
import { TencentDriver } from "./driver";

export type { TencentCredentials, TencentSite };
export { TencentDriver } from "./driver";
export { CynosdbClient } from "./client";
export { snapshotFromFields } from "./status";
export { signTc3 } from "./signer";

export interface TencentDriverOptions {
  /** API Region, e.g. "ap-guangzhou". */
  region: string;
  /** Explicit endpoint (overrides `site`); also read from CLUSTER_POWER_TENCENTCLOUD_ENDPOINT. */
  endpoint?: string;
  /** Host family: "default" cynosdb.tencentcloudapi.com, "intl" cynosdb.intl..., "regional" cynosdb.<region>... */
  site?: TencentSite;
  /** Explicit credentials; when absent, TENCENTCLOUD_* env variables. */
  credentials?: Partial<TencentCredentials>;
  env?: NodeJS.ProcessEnv;
  /** Per-request budget, connect to last byte (default 60 s, the SDKs' default). */
  requestTimeoutMs?: number;
  retry?: RetryPolicy;
  /** 20 req/s lanes per action per SecretId (default: the process-wide limiter). */
  limiter?: SlidingWindowLimiter;
  /** 1000 req/s lanes for DescribeClusters (default: a process-wide one). */
  batchLimiter?: SlidingWindowLimiter;
  now?: () => number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** Validates everything up front (ConfigurationError before any call) and builds the driver. */
export function createTencentDriver(options: TencentDriverOptions): TencentDriver & CloudDriver {
  const env = options.env ?? process.env;
  const region = validateRegion(options.region);
  const endpoint = resolveEndpoint({ region, endpoint: options.endpoint, site: options.site }, env);
  const credentials = resolveCredentials(options.credentials, env);
  const client = new CynosdbClient({
    region,
    endpoint,
    credentials,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    retry: options.retry ?? DEFAULT_RETRY_POLICY,
    limiter: options.limiter ?? processLimiter,
    batchLimiter: options.batchLimiter ?? describeClustersLimiter,
    now: options.now,
  });
  // The SecretId is an identifier, not a secret: it names the quota this driver shares.
  return new TencentDriver(client, `tencentcloud:${credentials.secretId}:${region}:${endpoint.host}`);
}
