import type { ListedCluster } from "./power";

/**
 * Pure: which listed clusters a selector picks. Off-hours tools select by tag and honour an
 * opt-out tag (Cloud Custodian's offhours filters); the same rules here, for any cloud's list.
 */

/** The key of the opt-out tag (or label) unless the selector names another. */
export const DEFAULT_OPT_OUT_TAG = "cluster-power";
/** The opt-out value, compared trimmed and case-insensitively: "Off" must not pause a cluster its owner opted out. */
export const OPT_OUT_VALUE = "off";

export interface Selector {
  /** Only clusters in this region (the cloud's region id). */
  region?: string;
  /** Every pair must be on the cluster, key and value exactly. */
  pairs: Readonly<Record<string, string>>;
  /** Only clusters whose name starts with this (case-sensitive). */
  namePrefix?: string;
  /** Only clusters of this project. */
  projectId?: string;
  /** A cluster carrying this key with the value "off" is never selected. */
  optOutTag: string;
  /** Also list clusters the cloud's API can never pause, marked ineligible. */
  includeIneligible: boolean;
}

/** Why a listed cluster is left out, in the order the rules are applied. */
export type Exclusion = "region" | "pairs" | "name" | "project" | "opted-out" | "ineligible";

export interface Selected {
  cluster: ListedCluster;
  eligible: boolean;
  /** Why the cloud's API can never pause it (only when not eligible). */
  reason?: string;
}

export function isOptedOut(pairs: Readonly<Record<string, string>>, optOutTag: string): boolean {
  const value = Object.hasOwn(pairs, optOutTag) ? pairs[optOutTag] : undefined;
  return typeof value === "string" && value.trim().toLowerCase() === OPT_OUT_VALUE;
}

/** Why the selector leaves this cluster out, or undefined when it picks it. */
export function exclusionOf(cluster: ListedCluster, selector: Selector): Exclusion | undefined {
  if (selector.region !== undefined && cluster.region !== selector.region) return "region";
  for (const [key, value] of Object.entries(selector.pairs)) {
    if (!Object.hasOwn(cluster.pairs, key) || cluster.pairs[key] !== value) return "pairs";
  }
  if (selector.namePrefix !== undefined && !cluster.name.startsWith(selector.namePrefix)) return "name";
  if (selector.projectId !== undefined && cluster.projectId !== selector.projectId) return "project";
  if (isOptedOut(cluster.pairs, selector.optOutTag)) return "opted-out";
  if (!selector.includeIneligible && cluster.snapshot.unsupportedReason !== undefined) return "ineligible";
  return undefined;
}

/**
 * The clusters the selector picks, ordered by id so a program registers them in the same order
 * every run. `isGone` drops clusters the cloud lists as deleted: they are no longer there to pause.
 */
export function selectClusters(listed: readonly ListedCluster[], selector: Selector, isGone: (cluster: ListedCluster) => boolean): Selected[] {
  return listed
    .filter((cluster) => !isGone(cluster) && exclusionOf(cluster, selector) === undefined)
    .sort((a, b) => (a.snapshot.clusterId < b.snapshot.clusterId ? -1 : a.snapshot.clusterId > b.snapshot.clusterId ? 1 : 0))
    .map((cluster) => {
      const reason = cluster.snapshot.unsupportedReason;
      return reason === undefined ? { cluster, eligible: true } : { cluster, eligible: false, reason };
    });
}
