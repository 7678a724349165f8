import * as pulumi from "@pulumi/pulumi";
import { ClusterPowerState, type ClusterPowerStateArgs } from "pulumi-cluster-power";

/**
 * Each entry of the `clusters` config is a Zilliz Cloud dedicated cluster and whether it should run.
 * Suspended clusters bill storage only. Removing an entry stops managing the cluster; with
 * `onDelete: resume` it is handed back running, so nobody finds it asleep later.
 */

interface Entry {
  name: string;
  clusterId: string;
  region: string;
  powerState: "running" | "paused";
  apiVersion?: "v1" | "v2";
}

const config = new pulumi.Config();
const entries = config.requireObject<Entry[]>("clusters");

const clusters = entries.map(({ name, ...entry }) => {
  const args: ClusterPowerStateArgs = {
    cloud: "zillizcloud",
    ...entry,
    onDelete: "resume",
    // Zilliz documents suspend/resume as taking "several minutes".
    timeoutSeconds: 1800,
  };
  return new ClusterPowerState(name, args);
});

export const status = pulumi.all(clusters.map((c) => pulumi.all([c.clusterId, c.observedState, c.rawStatus, c.prompt]))).apply((rows) =>
  rows.map(([clusterId, state, raw, prompt]) => ({ clusterId, state, raw, prompt })),
);
