export { ClusterPowerState, CLUSTER_POWER_STATE_TYPE, type ClusterPowerStateArgs } from "./resource";
export {
  ClusterPowerInputsSchema,
  ClusterPowerArgsSchema,
  ClusterPowerOutputsSchema,
  DEFAULTS,
  type ClusterPowerInputs,
  type ClusterPowerOutputs,
} from "./provider/schema";
export type { CloudName, PowerState, TargetPowerState } from "./core/power";
