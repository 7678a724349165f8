import * as pulumi from "@pulumi/pulumi";
import { ClusterPowerState, powerSchedule } from "pulumi-cluster-power";

/**
 * Office hours on, nights, weekends and holidays off, in the team's time zone. Run `pulumi up` on a
 * schedule (every 15 minutes, or at the cron lines `cluster-power schedule --cron` prints): with
 * `overrides: "until-next-edge"` a cluster someone resumed at 22:00 to debug stays up until the
 * next edge (refresh shows `overriddenSince`), and the next evening edge pauses it again.
 *
 * Tencent serverless clusters also pause by themselves when idle and wake on the next connection;
 * during office hours that is fine (allowAutoPause, the default, treats an auto-paused cluster as
 * "running").
 */

const config = new pulumi.Config();
const region = config.require("region");
const clusterIds = config.requireObject<string[]>("clusterIds");

const officeHours = powerSchedule({
  timezone: config.get("timezone") ?? "Asia/Shanghai",
  running: config.getObject<string[]>("running") ?? ["Mon-Fri 08:00-20:00"],
  skipDates: config.getObject<string[]>("skipDates") ?? [],
  overrides: "until-next-edge",
});
// For dry runs: pretend it is this time (ISO 8601).
const now = new Date(config.get("now") ?? Date.now());
const scheduled = officeHours.at(now);

const clusters = clusterIds.map(
  (clusterId) =>
    new ClusterPowerState(`nightly-${clusterId}`, {
      cloud: "tencentcloud",
      clusterId,
      region,
      ...scheduled,
      // Do not cut off a late batch job: pause only when no connection is open.
      forcePause: false,
      // Pause/resume usually takes well under a minute; fail the run (not hang it) after 10.
      timeoutSeconds: 600,
    }),
);

export const desired = scheduled.powerState;
export const since = scheduled.scheduledAt;
export const nextEdge = officeHours.next(now)?.at.toISOString() ?? "none within 400 days";
export const observed = pulumi.all(clusters.map((c) => pulumi.all([c.clusterId, c.observedState, c.overriddenSince]))).apply((rows) =>
  rows.map(([clusterId, state, overriddenSince]) => ({ clusterId, state, ...(overriddenSince && { overriddenSince }) })),
);
