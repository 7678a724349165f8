import * as pulumi from "@pulumi/pulumi";
import {
  ClusterPowerState,
  findClusters,
  powerSchedule,
  TARGET_POWER_STATES,
  type ClusterPowerStateArgs,
  type FindClustersOptions,
  type FoundCluster,
  type PowerScheduleSpec,
  type TargetPowerState,
} from "pulumi-cluster-power";

/**
 * The root Pulumi program (Pulumi.yaml points `main` at the compiled build/tools/program/fleet.js).
 * A fleet of clusters from stack config, and one switch for all of them:
 *
 *   pulumi config set powerState paused && pulumi up     # the whole fleet goes to sleep
 *   pulumi config set powerState running && pulumi up    # and wakes up
 *
 * Stack config (see Pulumi.dev.yaml):
 *   powerState: paused | running            (default paused)
 *   schedule:   { timezone, running, skipDates?, overrides? }  (optional; decides powerState by the clock)
 *   now:        ISO instant the schedule is evaluated at (dry runs; default: the real time)
 *   clusters:   [{ name, cloud, clusterId, region?, ...any ClusterPowerState option but powerState }]
 *   selectors:  [{ cloud, region?, tags | labels, namePrefix?, projectId?, optOutTag?, endpoint?, apiVersion?,
 *                  ...any ClusterPowerState option but powerState, clusterId and region }]
 * At least one of `clusters` and `selectors`. Every cluster a selector picks (findClusters: by tags
 * or labels, name prefix, project; opted-out and never-pausable clusters left out) joins the fleet
 * as a resource named after its cluster id, with the selector's options; an entry of `clusters`
 * for the same cluster wins. Selection reads the clouds on every run, preview included. A cluster
 * that stops matching leaves the program and `up` deletes its resource: with `onDelete: leave`
 * (the default) nothing is called, with `onDelete: resume` it is woken.
 *
 * The program is an async function (Pulumi's Node.js runtime awaits it): selection must finish
 * before the resources it decides on are declared.
 */

type FleetEntry = Omit<ClusterPowerStateArgs, "powerState"> & { name: string };
/** A selector: findClusters' options, plus the ClusterPowerState options of the clusters it picks. */
type SelectorEntry = Record<string, unknown> & { cloud: string };

/** The keys of a selector entry that findClusters takes; `endpoint` and `apiVersion` also go on to the resources. */
const SELECTION_KEYS = ["cloud", "region", "tags", "labels", "namePrefix", "projectId", "optOutTag", "endpoint", "apiVersion"];
const SHARED_KEYS = ["cloud", "endpoint", "apiVersion"];

/** The clusters one selector picks, as fleet entries; ineligible clusters are never declared (they could only fail). */
async function selectFleet(selector: SelectorEntry, index: number): Promise<FleetEntry[]> {
  const pick = (keep: (key: string) => boolean) => Object.fromEntries(Object.entries(selector).filter(([key]) => keep(key)));
  for (const key of ["powerState", "clusterId", "includeIneligible"]) {
    if (key in selector) throw new Error(`config selectors[${index}].${key}: not allowed in a selector (the fleet decides it); remove it`);
  }
  const found: FoundCluster[] = await findClusters(pick((key) => SELECTION_KEYS.includes(key)) as unknown as FindClustersOptions);
  const options = pick((key) => SHARED_KEYS.includes(key) || !SELECTION_KEYS.includes(key));
  return found
    .filter((cluster) => cluster.eligible)
    .map((cluster) => ({ ...options, name: cluster.clusterId, clusterId: cluster.clusterId, region: cluster.region }) as unknown as FleetEntry);
}

/** Explicit entries first; a selected cluster already in the fleet (same cloud and id) is not added again. */
function mergeFleet(explicit: FleetEntry[], selected: FleetEntry[]): FleetEntry[] {
  const key = (entry: FleetEntry) => `${entry.cloud}/${String(entry.clusterId)}`;
  const taken = new Set(explicit.map(key));
  const names = new Set(explicit.map((entry) => entry.name));
  const out = [...explicit];
  for (const entry of selected) {
    if (taken.has(key(entry))) continue;
    if (names.has(entry.name)) throw new Error(`config clusters: the name "${entry.name}" is also the id of a selected cluster; rename the entry`);
    taken.add(key(entry));
    names.add(entry.name);
    out.push(entry);
  }
  return out;
}

async function fleet() {
  const config = new pulumi.Config();
  const powerState = (config.get("powerState") ?? "paused") as TargetPowerState;
  if (!TARGET_POWER_STATES.includes(powerState)) {
    throw new Error(`config powerState: must be "running" or "paused" (got "${powerState}"); run: pulumi config set powerState paused`);
  }
  const explicit = config.getObject<FleetEntry[]>("clusters") ?? [];
  const selectors = config.getObject<SelectorEntry[]>("selectors") ?? [];
  if (explicit.length === 0 && selectors.length === 0) {
    throw new Error("config: set `clusters` (clusters by id) or `selectors` (clusters by tags or labels), or both; see Pulumi.dev.yaml");
  }
  // Every selector is read before anything is declared: a failed list fails the run, never shrinks the fleet.
  const clusters = mergeFleet(explicit, (await Promise.all(selectors.map(selectFleet))).flat());
  const schedule = config.getObject<PowerScheduleSpec>("schedule");
  const now = new Date(config.get("now") ?? Date.now());
  // A schedule decides by the clock, with the edge it acts for and its overrides rule.
  const desired = schedule ? powerSchedule(schedule).at(now) : { powerState };

  const fleet = clusters.map(({ name, ...options }) => new ClusterPowerState(name, { ...options, ...desired } as ClusterPowerStateArgs));

  /** Per cluster: what was asked and what the cloud last said. */
  const states = pulumi
    .all(fleet.map((c) => pulumi.all([c.clusterId, c.powerState, c.observedState])))
    .apply((rows) => Object.fromEntries(rows.map(([id, desired, observed]) => [id, { desired, observed }])));
  return { states };
}

// Pulumi's Node.js runtime calls an exported function and awaits it: `export =` in CommonJS terms,
// spelled so that the tests' ES-module type-check reads this file too.
module.exports = fleet;
