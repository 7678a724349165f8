import * as pulumi from "@pulumi/pulumi";
import { ClusterPowerState } from "pulumi-cluster-power";

/**
 * Business hours on, nights and weekends off. Each `pulumi up` computes the desired state from the
 * clock, so a scheduled `pulumi up` at the edges of the window is all the automation needed.
 *
 * Tencent serverless clusters also pause by themselves when idle and wake on the next connection;
 * during business hours that is fine (allowAutoPause, the default, treats an auto-paused cluster
 * as "running"), and at night `pulumi up` pauses a cluster some late connection woke up.
 */

const config = new pulumi.Config();
const region = config.require("region");
const clusterIds = config.requireObject<string[]>("clusterIds");
const timezone = config.get("timezone") ?? "UTC";
const [opens, closes] = (config.get("businessHours") ?? "08:00-20:00").split("-");
// For dry runs: pretend it is this time (ISO 8601).
const now = new Date(config.get("now") ?? Date.now());

function isBusinessTime(at: Date, zone: string, open: string, close: string): boolean {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone: zone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  if (parts.weekday === "Sat" || parts.weekday === "Sun") return false;
  const hhmm = `${parts.hour}:${parts.minute}`;
  return hhmm >= open && hhmm < close;
}

const powerState = isBusinessTime(now, timezone, opens, closes) ? "running" : "paused";

const clusters = clusterIds.map(
  (clusterId) =>
    new ClusterPowerState(`nightly-${clusterId}`, {
      cloud: "tencentcloud",
      clusterId,
      region,
      powerState,
      // Do not cut off a late batch job: pause only when no connection is open.
      forcePause: false,
      // Pause/resume usually takes well under a minute; fail the run (not hang it) after 10.
      timeoutSeconds: 600,
    }),
);

export const desired = powerState;
export const observed = pulumi.all(clusters.map((c) => pulumi.all([c.clusterId, c.observedState, c.flowId]))).apply((rows) =>
  rows.map(([clusterId, state, flowId]) => ({ clusterId, state, flowId })),
);
