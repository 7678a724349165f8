import * as pulumi from "@pulumi/pulumi";
import { ClusterPowerState, TARGET_POWER_STATES, type ClusterPowerStateArgs, type TargetPowerState } from "pulumi-cluster-power";

/**
 * The root Pulumi program (Pulumi.yaml points `main` at the compiled build/tools/program/fleet.js).
 * A fleet of clusters from stack config, and one switch for all of them:
 *
 *   pulumi config set powerState paused && pulumi up     # the whole fleet goes to sleep
 *   pulumi config set powerState running && pulumi up    # and wakes up
 *
 * Stack config (see Pulumi.dev.yaml):
 *   powerState: paused | running            (default paused)
 *   clusters:   [{ name, cloud, clusterId, region?, ...any ClusterPowerState option but powerState }]
 */

type FleetEntry = Omit<ClusterPowerStateArgs, "powerState"> & { name: string };

const config = new pulumi.Config();
const powerState = (config.get("powerState") ?? "paused") as TargetPowerState;
if (!TARGET_POWER_STATES.includes(powerState)) {
  throw new Error(`config powerState: must be "running" or "paused" (got "${powerState}"); run: pulumi config set powerState paused`);
}
const clusters = config.requireObject<FleetEntry[]>("clusters");

const fleet = clusters.map(({ name, ...options }) => new ClusterPowerState(name, { ...options, powerState }));

/** Per cluster: what was asked and what the cloud last said. */
export const states = pulumi
  .all(fleet.map((c) => pulumi.all([c.clusterId, c.powerState, c.observedState])))
  .apply((rows) => Object.fromEntries(rows.map(([id, desired, observed]) => [id, { desired, observed }])));
