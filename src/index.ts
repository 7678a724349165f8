export { ClusterPowerState, CLUSTER_POWER_STATE_TYPE, type ClusterPowerStateArgs } from "./resource";
export { findClusters, type FindClustersOptions } from "./find";
export type { FoundCluster, CommonFindClustersOptions } from "./find-args";
export type { CommonClusterPowerStateArgs } from "./args";
export type { CloudName, BuiltInCloud, CloudClusterPowerStateArgs } from "./clouds/args";
// The run-time schemas (zod) are the subpath "pulumi-cluster-power/schema": the declarations of this
// entry load no zod, whose own need TypeScript 5.4 and, under `moduleResolution: "node"`,
// esModuleInterop (test/types.test.ts checks both template generations on TypeScript 5.2).
export { TARGET_POWER_STATES } from "./core/power";
export type { PowerState, TargetPowerState } from "./core/power";
export {
  powerSchedule,
  cronLines,
  ScheduleError,
  type PowerSchedule,
  type PowerScheduleSpec,
  type ScheduledInputs,
  type ScheduleEdge,
  type OverrideRule,
} from "./core/schedule";
