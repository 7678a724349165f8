import { CLOUDS, type CloudName } from "../clouds";
import type { CloudDescriptor, CloudFlag, DriverRequest } from "../core/cloud";
import { DEFAULT_TIMEOUT_SECONDS } from "../core/deadline";
import { describeError, quoteInput, UsageError } from "../core/errors";
import { safeEndpoint } from "../core/http";
import type { CallRetry } from "../core/retry";
import { DEFAULT_OPT_OUT_TAG, type Selector } from "../core/selector";
import type { FoundCluster } from "../find-args";
import { listAndSelect, listingOf } from "../selection";
import { asUsage, checkCredentials, type RawPowerOptions } from "./args";
import { retryLine, table } from "./format";
import { classify, EXIT } from "./outcome";
import { RetryThrottle, type CommandIo } from "./progress";

/**
 * `cluster-power list`: what findClusters would select, so a selector can be checked before it
 * goes into a stack. Same conventions as `status`: the result on stdout (a table, or one JSON
 * document with --json), messages on stderr, exit 0 / 1 / 2 / 130.
 */

export interface RawListOptions extends RawPowerOptions {
  tag?: string[];
  label?: string[];
  namePrefix?: string;
  projectId?: string;
  optOutTag?: string;
  all?: boolean;
}

export interface ListArgs {
  cloud: CloudName;
  json: boolean;
  timeoutSeconds: number;
  driver: DriverRequest;
  selector: Selector;
}

/** The flags of the clouds' own that apply to `list` (those not tied to other commands). */
export function listCloudFlags(cloud: CloudDescriptor): CloudFlag[] {
  return cloud.cli.flags.filter((flag) => !flag.commands || flag.commands.includes("list"));
}

/** Pure: the checked invocation. Every mistake is a UsageError (exit 2) before any call. */
export function resolveListArgs(raw: RawListOptions, env: NodeJS.ProcessEnv): ListArgs {
  if (!raw.cloud) throw new UsageError("--cloud", `missing; say which cloud: --cloud ${CLOUDS.names().join("|")}.`);
  const cloud = CLOUDS.require(raw.cloud, "--cloud");
  const listing = asUsage(() => listingOf(cloud, "--cloud"));
  const own = listing.pairs === "tags" ? "--tag" : "--label";
  const other = listing.pairs === "tags" ? "--label" : "--tag";
  if ((listing.pairs === "tags" ? raw.label : raw.tag)?.length) {
    throw new UsageError(other, `${cloud.name} clusters carry ${listing.pairs}; use ${own} key=value.`);
  }
  if (raw.projectId !== undefined && !listing.projects) throw new UsageError("--project-id", `${cloud.name} clusters belong to no projects; drop it.`);
  for (const c of CLOUDS.all()) {
    if (c === cloud) continue;
    for (const flag of listCloudFlags(c)) {
      if (raw[flag.attribute] !== undefined && !listCloudFlags(cloud).some((f) => f.attribute === flag.attribute)) {
        throw new UsageError(flag.flags.split(" ")[0], `applies to ${c.name} only; drop it for ${cloud.name}.`);
      }
    }
  }
  if (raw.endpoint !== undefined) asUsage(() => safeEndpoint(raw.endpoint!, "--endpoint"));
  if (raw.site !== undefined && !cloud.cli.sites.includes(raw.site)) {
    throw new UsageError("--site", `"${raw.site}" is not a ${cloud.name} site; use one of ${cloud.cli.sites.join(", ")} (or --endpoint URL).`);
  }
  const driver = asUsage(() => cloud.cli.request(raw, env));
  const region = driver.region === undefined ? undefined : asUsage(() => cloud.validateRegion(driver.region), "--region");
  checkCredentials(cloud, env);
  const pairs = parsePairs(own, (listing.pairs === "tags" ? raw.tag : raw.label) ?? []);
  asUsage(() => listing.check?.({ pairs: Object.keys(pairs).length > 0, projectId: raw.projectId !== undefined }, driver.options), own);
  const optOutTag = raw.optOutTag ?? DEFAULT_OPT_OUT_TAG;
  if (optOutTag.trim() === "") throw new UsageError("--opt-out-tag", `must name a key (default ${DEFAULT_OPT_OUT_TAG}).`);
  return {
    cloud: cloud.name,
    json: raw.json ?? false,
    timeoutSeconds: raw.timeout ?? DEFAULT_TIMEOUT_SECONDS,
    driver,
    selector: {
      ...(region !== undefined && { region }),
      pairs,
      ...(raw.namePrefix !== undefined && { namePrefix: raw.namePrefix }),
      ...(raw.projectId !== undefined && { projectId: raw.projectId }),
      optOutTag,
      includeIneligible: raw.all === true,
    },
  };
}

/** Pure: `key=value` flags (split at the first "="; the value may be empty), one value per key. */
export function parsePairs(flag: string, values: readonly string[]): Record<string, string> {
  const out = new Map<string, string>();
  for (const text of values) {
    const at = text.indexOf("=");
    const key = at < 0 ? "" : text.slice(0, at);
    if (at < 0 || key.trim() === "") throw new UsageError(flag, `${quoteInput(text)} is not key=value; pass e.g. ${flag} env=dev (repeat it for several).`);
    const value = text.slice(at + 1);
    if (out.has(key) && out.get(key) !== value) throw new UsageError(flag, `${quoteInput(key)} is given twice with different values; a cluster has one value per key.`);
    out.set(key, value);
  }
  return Object.fromEntries(out);
}

export type ListIo = CommandIo;

export async function runList(args: ListArgs, io: ListIo): Promise<number> {
  const now = io.now ?? Date.now;
  const started = now();
  const throttle = new RetryThrottle();
  const onRetry = (retry: CallRetry) => {
    if (throttle.due(retry, now())) io.stderr.write(`${retryLine(retry, now() - started)}\n`);
  };
  const cloud = CLOUDS.require(args.cloud);
  let clusters: FoundCluster[];
  try {
    clusters = await listAndSelect(cloud, { ...args.driver, onRetry }, args.selector, { timeoutSeconds: args.timeoutSeconds, signal: io.signal });
  } catch (error) {
    const info = classify(error);
    const exitCode = io.signal.aborted ? EXIT.interrupted : info.kind === "usage" ? EXIT.usage : EXIT.failed;
    const message = io.signal.aborted ? "interrupted before the list was read; nothing was selected" : describeError(error);
    if (args.json) {
      const failure = { code: io.signal.aborted ? "Interrupted" : info.code, message, ...(info.requestId !== undefined && { requestId: info.requestId }) };
      io.stdout.write(`${JSON.stringify({ command: "list", ok: false, exitCode, clusters: [], error: failure }, null, 2)}\n`);
    } else {
      io.stderr.write(`error: ${message}\n`);
      if (info.kind === "usage") io.stderr.write('(run "cluster-power list --help" for usage)\n');
    }
    return exitCode;
  }
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ command: "list", ok: true, exitCode: EXIT.ok, clusters }, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(`${listTable(cloud, clusters)}\n`);
  if (clusters.length === 0) io.stderr.write("no cluster matches (add --all to see clusters that cannot be paused).\n");
  return EXIT.ok;
}

/** Pure: one row per selected cluster. */
export function listTable(cloud: CloudDescriptor, clusters: readonly FoundCluster[]): string {
  const listing = listingOf(cloud);
  const ineligible = clusters.some((c) => !c.eligible);
  const header = ["CLUSTER", "NAME", "REGION", "STATE", "CLOUD STATUS", listing.pairs.toUpperCase(), ...(listing.projects ? ["PROJECT"] : []), ...(ineligible ? ["NOTE"] : [])];
  const rows = clusters.map((c) => {
    const pairs = c[listing.pairs] ?? {};
    return [
      c.clusterId,
      c.name || "-",
      c.region || "-",
      c.observedState,
      c.rawStatus,
      Object.entries(pairs).map(([k, v]) => `${k}=${v}`).join(",") || "-",
      ...(listing.projects ? [c.projectId ?? "-"] : []),
      ...(ineligible ? [c.eligible ? "" : `cannot be paused: ${c.reason ?? "unsupported"}`] : []),
    ];
  });
  return table([header, ...rows]);
}
