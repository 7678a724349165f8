import { z } from "zod";
import type { CloudDescriptor, DriverRequest } from "../../core/cloud";
import { ConfigurationError } from "../../core/errors";
import { safeEndpoint } from "../../core/http";
import type { CloudDriver } from "../../core/power";
import type { RetryPolicy } from "../../core/retry";
import type { SlidingWindowLimiter } from "../../core/rate-limit";
import { validateClusterId, validateRegion, ZILLIZ_API_KEY_ENV, ZILLIZ_ENDPOINT_ENV } from "./config";
import { buildZillizDriver } from "./driver";
import { DEMO_ZILLIZ_API_KEY, ZillizEmulator, type ZillizSeed } from "./emulator";
import { zillizSeedSchema } from "./seed";

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
  /** Told before each retry of a call. */
  onRetry?: DriverRequest["onRetry"];
}

export function createZillizDriver(options: ZillizDriverOptions): CloudDriver {
  return buildZillizDriver(options);
}

export { ZILLIZ_API_KEY_ENV, ZILLIZ_ENDPOINT_ENV, REGION_HEADER, keyFingerprint } from "./config";
export { powerOf, snapshotOf } from "./status";

export const SITES = ["global", "china"] as const;

/** Zilliz Cloud dedicated clusters (control plane v2, v1 as an option) as the rest of the package sees it. */
export const zillizCloud: CloudDescriptor<ZillizEmulator> & { readonly name: "zillizcloud" } = {
  name: "zillizcloud",
  title: "Zilliz Cloud dedicated clusters",
  exampleClusterId: "in01-108240180a4faf8",
  inputs: {
    apiVersion: {
      schema: z.enum(["v1", "v2"], { error: 'must be "v2" (current API) or "v1" (deprecated API)' }),
      default: "v2",
      why: "it picks the Zilliz control-plane API version",
      replaces: true,
    },
  },
  validateRegion,
  validateClusterId,
  regionRequired: ({ apiVersion }) =>
    apiVersion === "v1" ? 'with apiVersion "v1": the v1 host name contains the region, e.g. aws-us-west-2.' : undefined,
  validateEndpoint: (endpoint) => void safeEndpoint(endpoint, "endpoint"),
  config: [
    { key: "apiKey", secret: true, env: [ZILLIZ_API_KEY_ENV] },
    { key: "endpoint", secret: false, env: [ZILLIZ_ENDPOINT_ENV] },
  ],
  createDriver: (request) =>
    createZillizDriver({
      region: request.region,
      apiVersion: (request.options.apiVersion as "v1" | "v2" | undefined) ?? "v2",
      endpoint: request.endpoint ?? request.config.endpoint,
      site: request.options.site as "global" | "china" | undefined,
      apiKey: request.config.apiKey,
      env: request.env,
      ...(request.requestTimeoutMs !== undefined && { requestTimeoutMs: request.requestTimeoutMs }),
      ...(request.onRetry !== undefined && { onRetry: request.onRetry }),
    }),
  isGone: (snapshot) => /\bDELETED\b/i.test(snapshot.rawStatus) && snapshot.power === "unknown",
  // Dedicated clusters never suspend by themselves.
  toleratesAutoPause: () => false,
  receiptFields: ["prompt"],
  listing: {
    pairs: "labels",
    projects: true,
    check: (selection, options) => {
      // Labels come from v2 cluster records; the v1 list documents none, and matching nothing would look like success.
      if (selection.pairs && options.apiVersion === "v1") {
        throw new ConfigurationError("labels", 'the v1 API\'s cluster list reports no labels; select by labels with apiVersion "v2" (the default).');
      }
    },
  },
  cli: {
    credentialEnv: { required: [ZILLIZ_API_KEY_ENV], optional: [] },
    endpointEnv: ZILLIZ_ENDPOINT_ENV,
    sites: SITES,
    regionHelp: "zillizcloud: region id, e.g. aws-us-west-2 (required with --api-version v1)",
    flags: [{ flags: "--api-version <version>", attribute: "apiVersion", description: "zillizcloud only: control-plane API version", choices: ["v1", "v2"] }],
    request: (flags, env) => {
      if (flags.apiVersion === "v1" && flags.region === undefined) {
        throw new ConfigurationError("--region", "required with --api-version v1 (it has one host per region); pass e.g. --region aws-us-west-2, or drop --api-version to use v2.");
      }
      return { region: flags.region, endpoint: flags.endpoint, config: {}, options: { site: flags.site, apiVersion: flags.apiVersion }, env };
    },
    writeOptions: () => ({}),
  },
  emulator: {
    seedSchema: zillizSeedSchema,
    create: (context, seed) => new ZillizEmulator(context, (seed as ZillizSeed | undefined) ?? {}),
    banner: (part, url, seed) => {
      const key = (seed as ZillizSeed | undefined)?.apiKeys?.[0] ?? DEMO_ZILLIZ_API_KEY;
      const rows = part.listClusters().map((view) => {
        const note = view.plan === "Free" || view.plan === "Serverless" ? `${view.plan} plan: cannot be suspended` : `${view.plan} plan`;
        return [view.clusterId, view.regionId, view.status, note];
      });
      return {
        exports: [
          "# Zilliz Cloud demo credentials (v2; for --api-version v1 also pass --region):",
          `export ${ZILLIZ_API_KEY_ENV}=${key} ${ZILLIZ_ENDPOINT_ENV}=${url}`,
        ],
        rows,
      };
    },
  },
};
