import { InvalidArgumentError } from "commander";
import { CLOUDS, type CloudName } from "../clouds";
import type { CliFlags, CloudDescriptor, DriverRequest } from "../core/cloud";
import { DEFAULT_TIMEOUT_SECONDS, isValidTimeoutSeconds, MAX_TIMEOUT_SECONDS } from "../core/deadline";
import { ConfigurationError, quoteInput, UsageError } from "../core/errors";
import { safeEndpoint } from "../core/http";

/**
 * Turns what commander parsed into a checked, typed request, before any API call. Everything here
 * is pure (the environment is passed in), so each usage rule has a unit test.
 */

export { UsageError };

export { DEFAULT_TIMEOUT_SECONDS };

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

/**
 * --timeout: positive seconds (fractions allowed, e.g. 0.5), at most MAX_TIMEOUT_SECONDS: the
 * range the resource's timeoutSeconds accepts too. Beyond it, timers overflow and fire at once.
 */
export function parseSeconds(value: string): number {
  const seconds = Number(value.trim());
  if (value.trim() === "" || !isValidTimeoutSeconds(seconds)) {
    throw new InvalidArgumentError(`Use a positive number of seconds up to ${MAX_TIMEOUT_SECONDS} (one day), e.g. --timeout 600.`);
  }
  return seconds;
}

/** --at: an ISO 8601 instant with a zone (Z or an offset); a local time would be ambiguous. */
export function parseInstant(value: string): Date {
  const text = value.trim();
  const at = new Date(text);
  if (!/(Z|[+-]\d{2}:\d{2})$/i.test(text) || !Number.isFinite(at.getTime())) {
    throw new InvalidArgumentError("Use an ISO 8601 instant with a zone, e.g. 2026-12-24T18:00:00Z or 2026-12-24T18:00:00+08:00.");
  }
  return at;
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
  // Every id is checked before the first call: a typo in one must not let the others go ahead
  // (exit 2 means nothing was sent).
  for (const id of clusterIds) asUsage(() => cloud.validateClusterId(id), "--cluster-id");

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
      throw new UsageError("--cluster-id", `${quoteInput(raw)} is not a cluster id; pass one id per --cluster-id, without spaces.`);
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

/** Runs a check of the drivers' and reports its refusal as a usage error (on `field`, if given). */
/** Runs a check; its ConfigurationError becomes a UsageError (exit 2), on `field` if given. */
export function asUsage<T>(build: () => T, field?: string): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ConfigurationError && !(error instanceof UsageError)) throw new UsageError(field ?? error.field, error.message.slice(error.field.length + 2));
    throw error;
  }
}

/**
 * The drivers check credentials too; checking here first gives a message written for a shell user
 * (which variables to export) and fails before any cluster starts.
 */
export function checkCredentials(cloud: CloudDescriptor, env: NodeJS.ProcessEnv): void {
  const { required, optional } = cloud.cli.credentialEnv;
  for (const name of [...required, ...optional]) checkCredentialText(name, env[name]);
  const missing = required.filter((name) => !env[name]);
  if (missing.length === 0) return;
  const near = missing.flatMap((name) => lookalikes(name, env).map((found) => `${found} is set: did you mean ${name}?`));
  const placeholder = (name: string) => `${name}=<${name.endsWith("_ID") ? "id" : "key"}>`;
  throw new UsageError(
    missing.join(", "),
    `not set. Set ${missing.length > 1 ? "them" : "it"} in the environment: export ${missing.map(placeholder).join(" ")}` +
      (optional.length ? ` (plus ${optional[0]} for temporary keys)` : "") +
      "; the CLI takes no secret flags, so keys stay out of shell history." +
      (near.length ? ` (${near.join(" ")})` : ""),
  );
}

/** A value the cloud can never accept: wrapped in literal quotes, or with invisible characters. Never echoed. */
function checkCredentialText(name: string, value: string | undefined): void {
  if (!value) return;
  if (/^(["']).*\1$/s.test(value.trim())) {
    throw new UsageError(name, `its value is wrapped in quote characters; export it without them, e.g. export ${name}=value (quotes inside the shell's own quoting are kept literally).`);
  }
  if (!/^[\x21-\x7e]+$/.test(value.trim())) {
    throw new UsageError(name, "its value contains spaces, invisible or non-ASCII characters (a copy-paste accident?); copy it again from the cloud console and export it.");
  }
}

/** Pure: variables set in `env` whose names look like a misspelling of `name` (case, separators, a typo or two). */
export function lookalikes(name: string, env: NodeJS.ProcessEnv): string[] {
  const squash = (text: string) => text.toUpperCase().replace(/[^A-Z0-9]/g, "");
  return Object.keys(env).filter((other) => other !== name && env[other] && (squash(other) === squash(name) || editDistance(other.toUpperCase(), name) <= 2));
}

/** Levenshtein distance, for names of a few dozen characters. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}
