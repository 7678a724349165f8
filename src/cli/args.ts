import { InvalidArgumentError } from "commander";
import { CLOUDS, type CloudName } from "../clouds";
import type { CliFlags, CloudDescriptor, DriverRequest } from "../core/cloud";
import { ConfigurationError, UsageError } from "../core/errors";
import { safeEndpoint } from "../core/http";

/**
 * Turns what commander parsed into a checked, typed request, before any API call. Everything here
 * is pure (the environment is passed in), so each usage rule has a unit test.
 */

export { UsageError };

export const DEFAULT_TIMEOUT_SECONDS = 1800;

/** What commander hands over for `status`, `pause` and `resume` (flags not given are undefined). */
export interface RawPowerOptions extends CliFlags {
  cloud?: string;
  clusterId?: string[];
  json?: boolean;
  wait?: boolean;
  timeout?: number;
  timeScale?: number;
}

export type PowerCommand = "status" | "pause" | "resume";

export interface PowerArgs {
  command: PowerCommand;
  cloud: CloudName;
  clusterIds: string[];
  json: boolean;
  wait: boolean;
  timeoutSeconds: number;
  /** 1 against real clouds; below 1 speeds waits and polls up for an emulator. */
  timeScale: number;
  driver: DriverRequest;
  /** The cloud's own write switches from its flags (e.g. a force pause). */
  writeOptions: Readonly<Record<string, unknown>>;
}

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

/** --time-scale: above 0, at most 1. */
export function parseTimeScale(value: string): number {
  const scale = Number(value.trim());
  if (!(scale > 0 && scale <= 1)) throw new InvalidArgumentError("Use a factor above 0 and at most 1, e.g. --time-scale 0.05.");
  return scale;
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

export function resolvePowerArgs(command: PowerCommand, raw: RawPowerOptions, env: NodeJS.ProcessEnv): PowerArgs {
  if (!raw.cloud) throw new UsageError("--cloud", `missing; say which cloud: --cloud ${CLOUDS.names().join("|")}.`);
  if (!CLOUDS.has(raw.cloud)) throw new UsageError("--cloud", `"${raw.cloud}" is not supported; use one of ${CLOUDS.names().join(", ")}.`);
  const cloud = CLOUDS.require(raw.cloud);

  const clusterIds = uniqueClusterIds(raw.clusterId ?? []);
  if (clusterIds.length === 0) {
    throw new UsageError("--cluster-id", "missing; name at least one cluster, e.g. --cluster-id ID (repeat it for several clusters).");
  }

  rejectOtherCloudsFlags(cloud, raw);
  if (raw.endpoint !== undefined) safeEndpoint(raw.endpoint, "--endpoint");
  if (raw.site !== undefined && !cloud.cli.sites.includes(raw.site)) {
    throw new UsageError("--site", `"${raw.site}" is not a ${cloud.name} site; use one of ${cloud.cli.sites.join(", ")} (or --endpoint URL).`);
  }
  const driver = asUsage(() => cloud.cli.request(raw, env));
  checkCredentials(cloud, env);

  return {
    command,
    cloud: cloud.name,
    clusterIds,
    json: raw.json ?? false,
    wait: raw.wait ?? true,
    timeoutSeconds: raw.timeout ?? DEFAULT_TIMEOUT_SECONDS,
    timeScale: raw.timeScale ?? 1,
    driver,
    writeOptions: command === "pause" || command === "resume" ? cloud.cli.writeOptions(raw) : {},
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

/** A flag that belongs to another cloud is a mistake worth naming, not something to ignore. */
function rejectOtherCloudsFlags(cloud: CloudDescriptor, raw: RawPowerOptions): void {
  for (const other of CLOUDS.all()) {
    if (other === cloud) continue;
    for (const flag of other.cli.flags) {
      if (raw[flag.attribute] === undefined) continue;
      const name = flag.flags.split(" ")[0];
      throw new UsageError(name, `applies to ${other.name} only; drop it for ${cloud.name}.`);
    }
  }
}

function asUsage<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ConfigurationError && !(error instanceof UsageError)) throw new UsageError(error.field, error.message.slice(error.field.length + 2));
    throw error;
  }
}

/**
 * The drivers check credentials too; checking here first gives a message written for a shell user
 * (which variables to export) and fails before any cluster starts.
 */
export function checkCredentials(cloud: CloudDescriptor, env: NodeJS.ProcessEnv): void {
  const { required, optional } = cloud.cli.credentialEnv;
  const missing = required.filter((name) => !env[name]);
  if (missing.length === 0) return;
  const placeholder = (name: string) => `${name}=<${name.endsWith("_ID") ? "id" : "key"}>`;
  throw new UsageError(
    missing.join(", "),
    `not set. Set ${missing.length > 1 ? "them" : "it"} in the environment: export ${missing.map(placeholder).join(" ")}` +
      (optional.length ? ` (plus ${optional[0]} for temporary keys)` : "") +
      "; the CLI takes no secret flags, so keys stay out of shell history.",
  );
}
