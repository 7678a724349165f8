import { z } from "zod";
import type { CloudDescriptor, DriverRequest } from "../../core/cloud";
import { ConfigurationError } from "../../core/errors";
import type { CloudDriver } from "../../core/power";
import { processLimiter, type SlidingWindowLimiter } from "../../core/rate-limit";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../../core/retry";
import { CynosdbClient, describeClustersLimiter } from "./client";
import {
  resolveCredentials,
  resolveEndpoint,
  validateClusterId,
  validateRegion,
  ENDPOINT_ENV,
  type TencentCredentials,
  type TencentSite,
} from "./config";
import { TencentDriver } from "./driver";
import { DEFAULT_TENCENT_SEED, DEMO_TENCENT_CREDENTIALS, TencentEmulator, type TencentSeed } from "./emulator";
import { tencentSeedSchema } from "./seed";
import { autoPauseDelaySchema, autoPauseFromFlags, autoPauseSchema, describeStrategy } from "./strategy";

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
  /** Told before each retry of a call. */
  onRetry?: DriverRequest["onRetry"];
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
    onRetry: options.onRetry,
  });
  // The SecretId is an identifier, not a secret: it names the quota this driver shares.
  return new TencentDriver(client, `tencentcloud:${credentials.secretId}:${region}:${endpoint.host}`);
}

export const SITES = ["default", "intl", "regional"] as const;
const REGION_ENV = "TENCENTCLOUD_REGION";

/** Tencent Cloud TDSQL-C MySQL serverless (cynosdb 2019-01-07) as the rest of the package sees it. */
export const tencentCloud: CloudDescriptor<TencentEmulator> & { readonly name: "tencentcloud" } = {
  name: "tencentcloud",
  title: "Tencent Cloud TDSQL-C MySQL serverless",
  exampleClusterId: "cynosdbmysql-8vcxoq75",
  inputs: {
    forcePause: {
      schema: z.boolean({ error: "must be true or false" }),
      // The API's own default is 1 (force), which drops open connections; see the README.
      default: false,
      why: "it is Tencent PauseServerless' ForcePause switch",
      sentWithWrites: true,
    },
    allowAutoPause: {
      schema: z.boolean({ error: "must be true or false" }),
      default: true,
      why: "only Tencent serverless clusters pause by themselves when idle",
    },
    // No defaults: unset means the policy is not managed, and no strategy call is made at all.
    autoPause: {
      schema: autoPauseSchema,
      why: "it is the Tencent serverless auto-pause policy, ModifyServerlessStrategy AutoPause",
    },
    autoPauseDelaySeconds: {
      schema: autoPauseDelaySchema,
      why: "it is the Tencent serverless auto-pause delay, ModifyServerlessStrategy AutoPauseDelay",
    },
  },
  validateRegion,
  validateClusterId,
  regionRequired: () => "for tencentcloud: the API Region of the cluster, e.g. ap-guangzhou.",
  // API 3.0 signs "/" only, so the driver refuses a path or query; the region plays no part here.
  validateEndpoint: (endpoint) => void resolveEndpoint({ region: "ap-guangzhou", endpoint }, {}),
  config: [
    { key: "secretId", secret: false, env: ["TENCENTCLOUD_SECRET_ID"] },
    { key: "secretKey", secret: true, env: ["TENCENTCLOUD_SECRET_KEY"] },
    { key: "securityToken", secret: true, env: ["TENCENTCLOUD_SESSION_TOKEN", "TENCENTCLOUD_SECURITY_TOKEN"] },
    { key: "endpoint", secret: false, env: [ENDPOINT_ENV] },
    // The official Tencent provider's config key and environment variable, in its order.
    { key: "region", secret: false, env: [REGION_ENV], fallbackFor: "region" },
  ],
  createDriver: (request: DriverRequest) =>
    createTencentDriver({
      region: request.region ?? "",
      endpoint: request.endpoint ?? request.config.endpoint,
      site: request.options.site as TencentSite | undefined,
      credentials: { secretId: request.config.secretId, secretKey: request.config.secretKey, token: request.config.securityToken },
      env: request.env,
      ...(request.requestTimeoutMs !== undefined && { requestTimeoutMs: request.requestTimeoutMs }),
      ...(request.onRetry !== undefined && { onRetry: request.onRetry }),
    }),
  settings: {
    title: "auto-pause policy",
    fields: { autoPause: "observedAutoPause", autoPauseDelaySeconds: "observedAutoPauseDelaySeconds" },
    receiptOutputs: { requestId: "autoPauseRequestId", taskId: "autoPauseTaskId" },
    cli: {
      command: "auto-pause",
      description: "Set the serverless auto-pause policy (pause by itself when idle) of clusters.",
      flags: [
        { flags: "--enable", attribute: "enable", description: "the cluster pauses itself after --delay seconds of zero CPU load" },
        { flags: "--disable", attribute: "disable", description: "the cluster never pauses itself" },
        { flags: "--delay <seconds>", attribute: "delay", description: "idle seconds before it pauses (600 to 691200); unchanged when absent" },
      ],
      desired: autoPauseFromFlags,
      heading: "AUTO-PAUSE",
      describe: describeStrategy,
    },
  },
  isGone: (snapshot) => /\b(deleted|offlined)\b/i.test(snapshot.rawStatus) && snapshot.power === "unknown",
  toleratesAutoPause: (inputs) => inputs.allowAutoPause !== false,
  receiptFields: ["flowId"],
  // DescribeClusters items carry ResourceTags; ProjectID is a number nobody selects by, so no projects.
  listing: { pairs: "tags", projects: false },
  cli: {
    credentialEnv: { required: ["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"], optional: ["TENCENTCLOUD_SESSION_TOKEN", "TENCENTCLOUD_SECURITY_TOKEN"] },
    endpointEnv: ENDPOINT_ENV,
    sites: SITES,
    regionHelp: `tencentcloud: API region, e.g. ap-guangzhou (else ${REGION_ENV})`,
    flags: [
      {
        flags: "--force",
        attribute: "force",
        description: "tencentcloud only: ForcePause=1, cutting open connections instead of waiting for them to close",
        commands: ["pause"],
      },
    ],
    request: (flags, env) => {
      const region = flags.region ?? env[REGION_ENV];
      if (!region) throw new ConfigurationError("--region", `required for tencentcloud; pass e.g. --region ap-guangzhou (or set ${REGION_ENV}).`);
      return { region, endpoint: flags.endpoint, config: {}, options: { site: flags.site }, env };
    },
    writeOptions: (flags) => ({ forcePause: flags.force === true }),
  },
  emulator: {
    seedSchema: tencentSeedSchema,
    create: (context, seed) => new TencentEmulator(context, (seed as TencentSeed | undefined) ?? DEFAULT_TENCENT_SEED),
    banner: (part, url, seed) => {
      const given = seed as TencentSeed | undefined;
      const key = given?.keys?.[0] ?? DEMO_TENCENT_CREDENTIALS;
      const clusters = (given ?? DEFAULT_TENCENT_SEED).clusters ?? [];
      const rows: string[][] = [];
      for (const { clusterId } of clusters) {
        const view = part.getCluster(clusterId);
        if (!view) continue;
        const provisioned = view.dbMode === "NORMAL";
        const note = provisioned ? "provisioned (NORMAL): cannot be paused" : view.status !== "running" ? `status ${view.status}` : "";
        rows.push([view.clusterId, view.region, provisioned ? "-" : view.serverlessStatus, note]);
      }
      const region = clusters[0]?.region ?? "ap-guangzhou";
      return {
        exports: [
          "# Tencent Cloud demo credentials (paste into your shell):",
          `export TENCENTCLOUD_SECRET_ID=${key.secretId} TENCENTCLOUD_SECRET_KEY=${key.secretKey}` +
            ("token" in key && key.token ? ` TENCENTCLOUD_SESSION_TOKEN=${key.token}` : "") +
            ` ${REGION_ENV}=${region} ${ENDPOINT_ENV}=${url}`,
        ],
        rows,
      };
    },
  },
};
