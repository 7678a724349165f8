import { CLOUDS } from "./clouds";
import type { CloudDescriptor, CloudListing, DriverRequest } from "./core/cloud";
import { isValidTimeoutSeconds, MAX_TIMEOUT_SECONDS, timerMs } from "./core/deadline";
import { ConfigurationError, quoteInput, ReadDeadlineError } from "./core/errors";
import { DEFAULT_OPT_OUT_TAG, selectClusters, type Selected, type Selector } from "./core/selector";
import type { FoundCluster } from "./find-args";

/**
 * Selecting clusters by their tags or labels: the checks every option gets before any API call,
 * and the thin shell that lists (through the cloud's driver, its client and the process-wide
 * rate limiter) and selects (src/core/selector.ts). findClusters (program side, src/find.ts) and
 * `cluster-power list` (src/cli/list.ts) both end here.
 */

/** How long a whole listing may take unless the options say otherwise. */
export const DEFAULT_FIND_TIMEOUT_SECONDS = 300;

/** Options as a program or a config file hands them over (checked here, whatever their type says). */
export type RawFindOptions = Readonly<Record<string, unknown>>;

export interface FindPlan {
  cloud: CloudDescriptor;
  listing: CloudListing;
  selector: Selector;
  region?: string;
  endpoint?: string;
  /** The cloud's own driver options (e.g. an API version). */
  options: Record<string, unknown>;
  timeoutSeconds: number;
}

const COMMON_KEYS = ["cloud", "region", "namePrefix", "optOutTag", "includeIneligible", "endpoint", "timeoutSeconds"];

/** The listing part of a cloud, or a ConfigurationError saying the cloud cannot list. */
export function listingOf(cloud: CloudDescriptor, field = "cloud"): CloudListing {
  if (!cloud.listing) {
    throw new ConfigurationError(field, `${cloud.name} cannot list its clusters, so they cannot be selected by tags or labels; name each cluster by its id instead.`);
  }
  return cloud.listing;
}

/** The cloud's inputs that name an API (e.g. an API version): the only ones a listing takes. */
function driverOptionNames(cloud: CloudDescriptor): string[] {
  return Object.keys(cloud.inputs).filter((name) => cloud.inputs[name].replaces === true);
}

/** Pure: checks every option and returns what to list and how to select, or throws ConfigurationError naming the option. */
export function planFind(raw: RawFindOptions): FindPlan {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigurationError("options", `must be an object such as { cloud: ${CLOUDS.quotedNames().split(", ")[0]}, ... }.`);
  }
  const cloud = CLOUDS.require(raw.cloud);
  const listing = listingOf(cloud);
  const own = driverOptionNames(cloud);
  const accepted = [...COMMON_KEYS, listing.pairs, ...(listing.projects ? ["projectId"] : []), ...own];
  for (const key of Object.keys(raw)) {
    if (accepted.includes(key) || raw[key] === undefined) continue;
    if (key === "tags" || key === "labels") {
      throw new ConfigurationError(key, `${cloud.name} clusters carry ${listing.pairs}, not ${key}; use ${listing.pairs}: { key: "value" }.`);
    }
    if (key === "projectId") throw new ConfigurationError(key, `${cloud.name} clusters belong to no projects; drop projectId.`);
    throw new ConfigurationError(key, `is not a findClusters option for ${cloud.name}; use ${accepted.filter((k) => k !== "cloud").join(", ")}.`);
  }

  const options: Record<string, unknown> = {};
  for (const name of own) {
    if (raw[name] === undefined) continue;
    const parsed = cloud.inputs[name].schema.safeParse(raw[name]);
    if (!parsed.success) throw new ConfigurationError(name, parsed.error.issues[0]?.message ?? "is not valid.");
    options[name] = parsed.data;
  }
  const regionReason = cloud.regionRequired({ ...options });
  const region = raw.region === undefined ? undefined : cloud.validateRegion(raw.region);
  if (region === undefined && regionReason) throw new ConfigurationError("region", `is required ${regionReason}`);
  const endpoint = optionalString(raw, "endpoint");
  if (endpoint !== undefined) cloud.validateEndpoint(endpoint);

  const pairs = pairsOption(raw[listing.pairs], listing.pairs);
  const projectId = optionalString(raw, "projectId");
  listing.check?.({ pairs: Object.keys(pairs).length > 0, projectId: projectId !== undefined }, options);
  const optOutTag = optionalString(raw, "optOutTag") ?? DEFAULT_OPT_OUT_TAG;
  if (optOutTag.trim() === "") throw new ConfigurationError("optOutTag", `must name a ${singular(listing.pairs)} key (default "${DEFAULT_OPT_OUT_TAG}").`);
  if (raw.includeIneligible !== undefined && typeof raw.includeIneligible !== "boolean") {
    throw new ConfigurationError("includeIneligible", "must be true or false.");
  }
  const timeoutSeconds = raw.timeoutSeconds ?? DEFAULT_FIND_TIMEOUT_SECONDS;
  if (typeof timeoutSeconds !== "number" || !isValidTimeoutSeconds(timeoutSeconds)) {
    throw new ConfigurationError("timeoutSeconds", `must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS} (got ${quoteInput(timeoutSeconds)}).`);
  }
  const namePrefix = optionalString(raw, "namePrefix");
  const selector: Selector = {
    ...(region !== undefined && { region }),
    pairs,
    ...(namePrefix !== undefined && { namePrefix }),
    ...(projectId !== undefined && { projectId }),
    optOutTag,
    includeIneligible: raw.includeIneligible === true,
  };
  return { cloud, listing, selector, ...(region !== undefined && { region }), ...(endpoint !== undefined && { endpoint }), options, timeoutSeconds };
}

function optionalString(raw: RawFindOptions, key: string): string | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new ConfigurationError(key, `must be a string (got ${quoteInput(value)}).`);
  return value;
}

function singular(pairs: CloudListing["pairs"]): string {
  return pairs === "tags" ? "tag" : "label";
}

/** Pure: a `{ key: "value" }` map of strings, keys non-empty. */
export function pairsOption(value: unknown, field: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigurationError(field, `must be an object of ${field} such as { env: "dev" } (got ${quoteInput(value)}).`);
  }
  const out: [string, string][] = [];
  for (const [key, pairValue] of Object.entries(value)) {
    if (key.trim() === "") throw new ConfigurationError(field, "has an empty key.");
    if (typeof pairValue !== "string") {
      throw new ConfigurationError(`${field}.${key}`, `must be a string, compared exactly (got ${quoteInput(pairValue)}); quote numbers and booleans, e.g. "true".`);
    }
    out.push([key, pairValue]);
  }
  return Object.fromEntries(out);
}

/** What findClusters reports for one selected cluster: the cloud's own name for its pairs, keys without a value left out. */
export function foundCluster(cloud: CloudDescriptor, listing: CloudListing, selected: Selected): FoundCluster {
  const { cluster } = selected;
  return {
    cloud: cloud.name,
    clusterId: cluster.snapshot.clusterId,
    name: cluster.name,
    region: cluster.region,
    [listing.pairs]: { ...cluster.pairs },
    ...(cluster.projectId !== undefined && { projectId: cluster.projectId }),
    observedState: cluster.snapshot.power,
    rawStatus: cluster.snapshot.rawStatus,
    eligible: selected.eligible,
    ...(selected.reason !== undefined && { reason: selected.reason }),
  };
}

/**
 * Lists every cluster through the cloud's driver and selects. A failed page fails the whole call
 * with the cloud's code and RequestId; a list that cannot be read to its end fails with
 * IncompleteList; a listing that outlives `timeoutSeconds` fails with DeadlineExceeded.
 */
export async function listAndSelect(
  cloud: CloudDescriptor,
  request: DriverRequest,
  selector: Selector,
  run: { timeoutSeconds: number; signal?: AbortSignal },
): Promise<FoundCluster[]> {
  const listing = listingOf(cloud);
  const driver = cloud.createDriver(request);
  if (!driver.listClusters) throw new ConfigurationError("cloud", `the ${cloud.name} driver cannot list clusters.`);
  const deadline = AbortSignal.timeout(Math.max(1, timerMs(run.timeoutSeconds * 1000)));
  const signal = run.signal ? AbortSignal.any([run.signal, deadline]) : deadline;
  let listed;
  try {
    listed = await driver.listClusters(signal);
  } catch (error) {
    if (deadline.aborted && !run.signal?.aborted) {
      throw new ReadDeadlineError(`no complete cluster list from ${cloud.name} within timeoutSeconds (${run.timeoutSeconds} s); nothing was selected.`, { cause: error });
    }
    throw error;
  }
  return selectClusters(listed, selector, (cluster) => cloud.isGone(cluster.snapshot)).map((selected) => foundCluster(cloud, listing, selected));
}

/** Checks the options, then lists and selects with this cloud's stack config and environment. */
export async function findClustersWith(
  raw: RawFindOptions,
  context: { config: Readonly<Record<string, string | undefined>>; env: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<FoundCluster[]> {
  const plan = planFind(raw);
  const request: DriverRequest = {
    ...(plan.region !== undefined && { region: plan.region }),
    ...(plan.endpoint !== undefined && { endpoint: plan.endpoint }),
    config: context.config,
    options: plan.options,
    env: context.env,
  };
  return listAndSelect(plan.cloud, request, plan.selector, { timeoutSeconds: plan.timeoutSeconds, ...(context.signal && { signal: context.signal }) });
}
