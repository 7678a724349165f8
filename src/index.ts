export { ClusterPowerState, CLUSTER_POWER_STATE_TYPE, type ClusterPowerStateArgs } from "./resource";
export type { CommonClusterPowerStateArgs } from "./args";
export type { CloudName, BuiltInCloud, CloudClusterPowerStateArgs } from "./clouds";
export { ClusterPowerInputsSchema, ClusterPowerOutputsSchema, defaults, type ClusterPowerInputs, type ClusterPowerOutputs } from "./provider/schema";
export { TARGET_POWER_STATES } from "./core/power";
export type { PowerState, TargetPowerState } from "./core/power";
