import * as pulumi from "@pulumi/pulumi";
import { ClusterPowerState, findClusters, type ClusterPowerStateArgs } from "pulumi-cluster-power";

/**
 * Each entry of the `clusters` config is a Zilliz Cloud dedicated cluster and whether it should run.
 * Suspended clusters bill storage only. Removing an entry stops managing the cluster; with
 * `onDelete: resume` it is handed back running, so nobody finds it asleep later.
 *
 * `select` adds every cluster that carries the given labels (findClusters reads the cluster list when
 * the program runs, preview included), at one powerState. A cluster labelled `cluster-power: off`
 * is never picked. One that stops matching leaves the stack with `onDelete: leave`: nothing is called,
 * it simply is no longer managed. Check a selector first:
 *   cluster-power list --cloud zillizcloud --label env=dev
 */

interface Entry {
  name: string;
  clusterId: string;
  region: string;
  powerState: "running" | "paused";
  apiVersion?: "v1" | "v2";
}

interface Select {
  labels: Record<string, string>;
  namePrefix?: string;
  powerState: "running" | "paused";
}

// An async program: Pulumi's Node.js runtime awaits it, so the selection is read before anything is declared.
export = async () => {
  const config = new pulumi.Config();
  const entries = config.requireObject<Entry[]>("clusters");
  const select = config.getObject<Select>("select");

  const named = entries.map(({ name, ...entry }) => {
    const args: ClusterPowerStateArgs = {
      cloud: "zillizcloud",
      ...entry,
      onDelete: "resume",
      // Zilliz documents suspend/resume as taking "several minutes".
      timeoutSeconds: 1800,
    };
    return new ClusterPowerState(name, args);
  });

  const listed = new Set(entries.map((e) => e.clusterId));
  const found = select ? await findClusters({ cloud: "zillizcloud", labels: select.labels, ...(select.namePrefix && { namePrefix: select.namePrefix }) }) : [];
  const selected = found
    .filter((cluster) => !listed.has(cluster.clusterId))
    .map(
      (cluster) =>
        new ClusterPowerState(cluster.clusterId, {
          cloud: "zillizcloud",
          clusterId: cluster.clusterId,
          region: cluster.region,
          powerState: select!.powerState,
          onDelete: "leave",
          timeoutSeconds: 1800,
        }),
    );

  const clusters = [...named, ...selected];
  const status = pulumi.all(clusters.map((c) => pulumi.all([c.clusterId, c.observedState, c.rawStatus, c.prompt]))).apply((rows) =>
    rows.map(([clusterId, state, raw, prompt]) => ({ clusterId, state, raw, prompt })),
  );
  return { status };
};
