import { InvalidArgumentError } from "commander";
import type { DriverSettings } from "../clouds";
import { ConfigurationError } from "../core/errors";
import { safeEndpoint } from "../core/http";
import { CLOUDS, type CloudName } from "../core/power";

/**
 * Turns what commander parsed into a checked, typed request, before any API call. Everything here
 * is pure (the environment is passed in), so each usage rule has a unit test.
 */

/** A mistake in how the command was invoked: exit code 2, with a message that says what to fix. */
export class UsageError extends ConfigurationError {}

export const DEFAULT_TIMEOUT_SECONDS = 1800;

/** What commander hands over for `status`, `pause` and `resume` (flags not given are undefined). */
export interface RawPowerOptions {
  cloud?: string;
  clusterId?: string[];
  region?: string;
  endpoint?: string;
  apiVersion?: string;
  site?: string;
  json?: boolean;
  force?: boolean;
  wait?: boolean;
  timeout?: number;
}

export type PowerCommand = "status" | "pause" | "resume";

export interface PowerArgs {
  command: PowerCommand;
  cloud: CloudName;
  clusterIds: string[];
  json: boolean;
  /** pause only: Tencent ForcePause (default true; --no-force turns it off). */
  force: boolean;
  wait: boolean;
  timeoutSeconds: number;
  driver: DriverSettings;
}

/** Credentials come only from the environment: a flag would leave the secret in shell history. */
export const CREDENTIAL_ENV: Record<CloudName, { required: string[]; optional: string[] }> = {
  tencentcloud: { required: ["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"], optional: ["TENCENTCLOUD_SESSION_TOKEN", "TENCENTCLOUD_SECURITY_TOKEN"] },
  zillizcloud: { required: ["ZILLIZCLOUD_API_KEY"], optional: [] },
};

export const ENDPOINT_ENV: Record<CloudName, string> = {
  tencentcloud: "CLUSTER_POWER_TENCENTCLOUD_ENDPOINT",
  zillizcloud: "CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT",
};

/** commander argParser: a repeatable option collects into a list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/*
 * commander argParsers. commander prefixes their message with the option and the bad value
 * ("option '--timeout <seconds>' argument 'abc' is invalid."), so they only say what to use.
 */

/** --timeout: positive seconds (fractions allowed, e.g. 0.5). */
export function parseSeconds(value: string): number {
  const seconds = Number(value.trim());
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError("Use a positive number of seconds, e.g. --timeout 600.");
  }
  return seconds;
}

/** --port: 0 (any free port) to 65535. */
export function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value.trim()) || Number(value) > 65535) {
    throw new InvalidArgumentError("Use a TCP port from 0 (any free port) to 65535.");
  }
  return Number(value);
}

/** --transition-ms: a whole number of milliseconds, 0 or more. */
export function parseMilliseconds(value: string): number {
  if (!/^\d{1,9}$/.test(value.trim())) {
    throw new InvalidArgumentError("Use a whole number of milliseconds, e.g. --transition-ms 3000.");
  }
  return Number(value);
}

export function isCloudName(value: string): value is CloudName {
  return (CLOUDS as readonly string[]).includes(value);
}

export function resolvePowerArgs(command: PowerCommand, raw: RawPowerOptions, env: NodeJS.ProcessEnv): PowerArgs {
  if (!raw.cloud) throw new UsageError("--cloud", `missing; say which cloud: --cloud ${CLOUDS.join("|")}.`);
  if (!isCloudName(raw.cloud)) throw new UsageError("--cloud", `"${raw.cloud}" is not supported; use one of ${CLOUDS.join(", ")}.`);
  const cloud = raw.cloud;

  const clusterIds = uniqueClusterIds(raw.clusterId ?? []);
  if (clusterIds.length === 0) {
    throw new UsageError("--cluster-id", "missing; name at least one cluster, e.g. --cluster-id ID (repeat it for several clusters).");
  }

  if (raw.endpoint !== undefined) safeEndpoint(raw.endpoint, "--endpoint");
  const driver = driverSettings(cloud, raw, env);
  checkCredentials(cloud, env);

  return {
    command,
    cloud,
    clusterIds,
    json: raw.json ?? false,
    force: raw.force ?? true,
    wait: raw.wait ?? true,
    timeoutSeconds: raw.timeout ?? DEFAULT_TIMEOUT_SECONDS,
    driver,
  };
}

function uniqueClusterIds(ids: string[]): string[] {
  const out: string[] = [];
  for (const raw of ids) {
    const id = raw.trim();
    if (id === "" || /\s/.test(id)) {
      throw new UsageError("--cluster-id", `"${raw}" is not a cluster id; pass one id per --cluster-id, without spaces.`);
    }
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

function driverSettings(cloud: CloudName, raw: RawPowerOptions, env: NodeJS.ProcessEnv): DriverSettings {
  if (cloud === "tencentcloud") {
    if (raw.apiVersion !== undefined) {
      throw new UsageError("--api-version", "applies to zillizcloud only; drop it for tencentcloud (the cynosdb API has one version).");
    }
    const region = raw.region ?? env.TENCENTCLOUD_REGION;
    if (!region) {
      throw new UsageError("--region", "required for tencentcloud; pass e.g. --region ap-guangzhou (or set TENCENTCLOUD_REGION).");
    }
    const site = siteFor(cloud, raw.site) as "default" | "intl" | "regional" | undefined;
    return { cloud, region, env, ...(raw.endpoint !== undefined && { endpoint: raw.endpoint }), ...(site && { site }) };
  }
  if (raw.force === false) {
    throw new UsageError("--no-force", "applies to tencentcloud only (Zilliz suspend has no force switch); drop it.");
  }
  const apiVersion = raw.apiVersion as "v1" | "v2" | undefined;
  if (apiVersion === "v1" && raw.region === undefined) {
    throw new UsageError("--region", "required with --api-version v1 (it has one host per region); pass e.g. --region aws-us-west-2, or drop --api-version to use v2.");
  }
  const site = siteFor(cloud, raw.site) as "global" | "china" | undefined;
  return {
    cloud,
    env,
    ...(site && { site }),
    ...(raw.region !== undefined && { region: raw.region }),
    ...(apiVersion && { apiVersion }),
    ...(raw.endpoint !== undefined && { endpoint: raw.endpoint }),
  };
}

/** Host families per cloud: Tencent's nearest/intl/regional hosts, Zilliz's global/China site. */
export const SITES: Record<CloudName, readonly string[]> = {
  tencentcloud: ["default", "intl", "regional"],
  zillizcloud: ["global", "china"],
};

function siteFor(cloud: CloudName, site: string | undefined): string | undefined {
  if (site === undefined || SITES[cloud].includes(site)) return site;
  throw new UsageError("--site", `"${site}" is not a ${cloud} site; use one of ${SITES[cloud].join(", ")} (or --endpoint URL).`);
}

/**
 * The drivers check credentials too; checking here first gives a message written for a shell user
 * (which variables to export) and fails before any cluster starts.
 */
export function checkCredentials(cloud: CloudName, env: NodeJS.ProcessEnv): void {
  const missing = CREDENTIAL_ENV[cloud].required.filter((name) => !env[name]);
  if (missing.length === 0) return;
  const optional = CREDENTIAL_ENV[cloud].optional;
  const placeholder = (name: string) => `${name}=<${name.endsWith("_ID") ? "id" : "key"}>`;
  throw new UsageError(
    missing.join(", "),
    `not set. Set ${missing.length > 1 ? "them" : "it"} in the environment: export ${missing.map(placeholder).join(" ")}` +
      (optional.length ? ` (plus ${optional[0]} for temporary keys)` : "") +
      "; the CLI takes no secret flags, so keys stay out of shell history.",
  );
}
