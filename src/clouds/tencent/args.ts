import type * as pulumi from "@pulumi/pulumi";
import type { CommonClusterPowerStateArgs } from "../../args";

/** ClusterPowerState inputs for a Tencent Cloud TDSQL-C MySQL serverless cluster. */
export interface TencentClusterPowerStateArgs extends CommonClusterPowerStateArgs {
  /** Tencent Cloud TDSQL-C MySQL serverless (cynosdb). */
  cloud: "tencentcloud";
  /**
   * PauseServerless `ForcePause`: `true` pauses at once and drops open connections; `false` lets
   * the pause wait for them. Default `false` (the API's own default is to force).
   */
  forcePause?: pulumi.Input<boolean>;
  /**
   * Drift tolerance only: a cluster Tencent auto-paused when idle satisfies `powerState:
   * "running"` (it wakes on the next connection). Default `true`. It does not change the
   * cluster's auto-pause policy.
   */
  allowAutoPause?: pulumi.Input<boolean>;
}
