import { createHash } from "node:crypto";
import { ConfigurationError, quoteInput, registerSecret } from "../../core/errors";
import { safeEndpoint } from "../../core/http";

/**
 * Where requests go and with which key. Everything here runs before any API call, so bad input
 * fails with a ConfigurationError naming the setting and the fix.
 */

export const ZILLIZ_API_KEY_ENV = "ZILLIZCLOUD_API_KEY";
export const ZILLIZ_ENDPOINT_ENV = "CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT";

export const V2_GLOBAL_BASE = "https://api.cloud.zilliz.com";
export const V2_CHINA_BASE = "https://api.cloud.zilliz.com.cn";
/** The seed's (and Terraform v1's) China domain. The current China docs drop `cloud.`; both are UNCONFIRMED. */
export const V1_CHINA_DOMAIN_DEFAULT = "cloud.zilliz.com.cn";
export const V1_GLOBAL_DOMAIN = "zillizcloud.com";

/**
 * With an endpoint override on v1 the hostname no longer names the region, so the region travels
 * in this header (the real API ignores unknown headers; the emulator reads it). An override that
 * contains `{region}` gets the region substituted instead, for per-region proxies.
 */
export const REGION_HEADER = "x-cluster-power-region";

export type ZillizApiVersion = "v1" | "v2";

export interface ZillizEndpointSettings {
  region?: string;
  apiVersion?: ZillizApiVersion;
  endpoint?: string;
  /** v2 only: "china" picks api.cloud.zilliz.com.cn; default follows the region prefix (ali-/tc-). */
  site?: "global" | "china";
  /** v1 only: domain after `controller.api.{region}.` for China regions (default cloud.zilliz.com.cn). */
  v1ChinaDomain?: string;
  apiKey?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ResolvedZillizConfig {
  apiVersion: ZillizApiVersion;
  /** Base URL without the version segment, e.g. https://api.cloud.zilliz.com. */
  base: URL;
  region?: string;
  /** Set when the region must travel in REGION_HEADER (v1 behind an endpoint override). */
  regionHeader?: string;
  apiKey: string;
  /** sha256 prefix of the key: names rate-limit lanes and scopes without revealing the key. */
  keyFingerprint: string;
  /** True when the base came from an option or CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT. */
  overridden: boolean;
}

/** `<cloud>-<region>`, with the cloud prefixes Zilliz uses: aws, gcp, az (Azure), ali (Alibaba), tc (Tencent). */
const REGION_PATTERN = /^(aws|gcp|az|ali|tc)-[a-z0-9]+(-[a-z0-9]+)*$/;
/** in01- Dedicated, in03- Free, in05- Serverless, then the id proper. */
const CLUSTER_ID_PATTERN = /^in\d{2}-[0-9a-z]+$/;

export function validateRegion(region: unknown): string {
  const value = typeof region === "string" ? region.trim() : region;
  if (typeof value !== "string" || !REGION_PATTERN.test(value)) {
    throw new ConfigurationError("region", `${quoteInput(region)} is not a Zilliz Cloud region id; use e.g. "aws-us-west-2", "gcp-us-west1", "az-eastus" or "ali-cn-hangzhou".`);
  }
  return value;
}

export function validateClusterId(clusterId: unknown): string {
  if (typeof clusterId !== "string" || !CLUSTER_ID_PATTERN.test(clusterId)) {
    throw new ConfigurationError("clusterId", `${quoteInput(clusterId)} is not a Zilliz Cloud cluster id; copy it from the console, e.g. "in01-108240180a4faf8".`);
  }
  return clusterId;
}
const DOMAIN_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

export function keyFingerprint(apiKey: string): string {
  return createHash("sha256").update(apiKey).digest("hex").slice(0, 12);
}

/** China regions are served by the .com.cn site (Terraform's BaseUrlFrom uses the same rule). */
export function isChinaRegion(region: string | undefined): boolean {
  const prefix = region?.split("-")[0];
  return prefix === "ali" || prefix === "tc";
}

export function resolveApiKey(settings: Pick<ZillizEndpointSettings, "apiKey" | "env">): string {
  const env = settings.env ?? process.env;
  const key = (settings.apiKey ?? env[ZILLIZ_API_KEY_ENV] ?? "").trim();
  if (key === "") {
    throw new ConfigurationError(
      "zillizcloud:apiKey",
      `no Zilliz Cloud API key: set the stack config (pulumi config set --secret zillizcloud:apiKey <key>) or the environment variable ${ZILLIZ_API_KEY_ENV}.`,
    );
  }
  // A key with spaces or control characters would break the header or leak into errors.
  if (/^(["']).*\1$/.test(key)) {
    throw new ConfigurationError("zillizcloud:apiKey", "the API key is wrapped in quote characters; set the value without them (the shell or the config file kept the quotes).");
  }
  if (!/^[\x21-\x7e]+$/.test(key)) {
    throw new ConfigurationError("zillizcloud:apiKey", "the API key contains spaces or non-ASCII characters; copy it again from the Zilliz Cloud console (API Keys page).");
  }
  registerSecret(key);
  return key;
}

export function resolveZillizConfig(settings: ZillizEndpointSettings): ResolvedZillizConfig {
  const env = settings.env ?? process.env;
  const apiVersion = settings.apiVersion ?? "v2";
  if (apiVersion !== "v1" && apiVersion !== "v2") {
    throw new ConfigurationError("apiVersion", `"${String(apiVersion)}" is not a Zilliz Cloud API version; use "v2" (default) or "v1".`);
  }
  const region = settings.region?.trim() ? validateRegion(settings.region) : undefined;
  if (apiVersion === "v1" && region === undefined) {
    throw new ConfigurationError("region", 'the v1 API has one host per region: set region (e.g. "aws-us-west-2"), or use apiVersion "v2", which needs none.');
  }
  if (settings.site !== undefined && settings.site !== "global" && settings.site !== "china") {
    throw new ConfigurationError("site", `"${String(settings.site)}" is not a Zilliz Cloud site; use "global" or "china".`);
  }
  const chinaDomain = (settings.v1ChinaDomain ?? V1_CHINA_DOMAIN_DEFAULT).trim().toLowerCase();
  if (!DOMAIN_PATTERN.test(chinaDomain)) {
    throw new ConfigurationError("v1ChinaDomain", `"${chinaDomain}" is not a domain name; use "cloud.zilliz.com.cn" or "zilliz.com.cn".`);
  }

  const apiKey = resolveApiKey(settings);
  const rawOverride = settings.endpoint?.trim() || env[ZILLIZ_ENDPOINT_ENV]?.trim() || undefined;
  const field = settings.endpoint?.trim() ? "endpoint" : ZILLIZ_ENDPOINT_ENV;

  let base: URL;
  let regionHeader: string | undefined;
  if (rawOverride) {
    const substituted = region ? rawOverride.split("{region}").join(region) : rawOverride;
    if (substituted.includes("{region}")) {
      throw new ConfigurationError(field, "contains {region} but no region is set; set region or remove the placeholder.");
    }
    base = stripVersionSuffix(safeEndpoint(substituted, field));
    if (apiVersion === "v1" && !rawOverride.includes("{region}")) regionHeader = region;
  } else if (apiVersion === "v2") {
    const china = settings.site ? settings.site === "china" : isChinaRegion(region);
    base = new URL(china ? V2_CHINA_BASE : V2_GLOBAL_BASE);
  } else {
    const domain = isChinaRegion(region) ? chinaDomain : V1_GLOBAL_DOMAIN;
    base = new URL(`https://controller.api.${region}.${domain}`);
  }

  return { apiVersion, base, region, regionHeader, apiKey, keyFingerprint: keyFingerprint(apiKey), overridden: rawOverride !== undefined };
}

/** Accepts overrides written with or without the version segment (Terraform's base ends in /v2). */
function stripVersionSuffix(url: URL): URL {
  const out = new URL(url.href);
  out.search = "";
  out.hash = "";
  out.pathname = out.pathname.replace(/\/+$/, "").replace(/\/v[12]$/, "") || "/";
  return out;
}

/** Joins the base, the version and a path, keeping any path prefix of an override. */
export function apiUrl(config: ResolvedZillizConfig, path: string, query?: Record<string, string | number>): URL {
  const prefix = config.base.pathname.replace(/\/+$/, "");
  const url = new URL(config.base.href);
  url.pathname = `${prefix}/${config.apiVersion}${path}`;
  if (query) for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
  return url;
}

/** The quota and view shared with other drivers: base URL (+ region on a shared v1 override) and key fingerprint. */
export function scopeOf(config: ResolvedZillizConfig): string {
  const base = apiUrl(config, "").href.replace(/\/+$/, "");
  const region = config.regionHeader ? `@${config.regionHeader}` : "";
  return `zillizcloud:${base}${region}:${config.keyFingerprint}`;
}
