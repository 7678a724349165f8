import type * as pulumi from "@pulumi/pulumi";
import type { CommonClusterPowerStateArgs } from "../../args";
import type { CommonFindClustersOptions } from "../../find-args";

/** ClusterPowerState inputs for a Tencent Cloud TDSQL-C MySQL serverless cluster. */
export interface TencentClusterPowerStateArgs extends CommonClusterPowerStateArgs {
  /** Required: Tencent Cloud TDSQL-C MySQL serverless (cynosdb). Picks the Tencent inputs below. */
  cloud: "tencentcloud";
  /**
   * The cluster's API region, e.g. `"ap-guangzhou"`. Default: stack config `tencentcloud:region`,
   * then the `TENCENTCLOUD_REGION` environment variable (the official Tencent provider's settings);
   * one of the three is required. A region from config or the environment is used, not recorded:
   * only the input is in the state, and changing the input replaces the resource.
   */
  region?: pulumi.Input<string>;
  /**
   * PauseServerless `ForcePause`: `true` pauses at once and drops open connections; `false` lets
   * the pause wait for them. Default `false` (the API's own default is to force).
   */
  forcePause?: pulumi.Input<boolean>;
  /**
   * Drift tolerance only: a cluster Tencent auto-paused when idle satisfies `powerState:
   * "running"` (it wakes on the next connection). Default `true`. It does not change the
   * cluster's auto-pause policy (that is `autoPause`).
   */
  allowAutoPause?: pulumi.Input<boolean>;
  /**
   * The cluster's own auto-pause policy (ModifyServerlessStrategy `AutoPause`): `true` lets the
   * cluster pause itself after `autoPauseDelaySeconds` of zero CPU load, `false` keeps it from
   * ever pausing by itself. Unset (the default): the policy is not managed and never read or
   * written. Set before any pause/resume of the same update; a change made in the console is
   * drift that `up` corrects.
   */
  autoPause?: pulumi.Input<boolean>;
  /**
   * Seconds of zero CPU load before the cluster pauses itself (ModifyServerlessStrategy
   * `AutoPauseDelay`), 600 to 691200 (8 days). Unset (the default): not managed, the cluster keeps
   * its current delay (Tencent's own default is 600).
   */
  autoPauseDelaySeconds?: pulumi.Input<number>;
}

/** Outputs that echo the Tencent-only inputs; on other clouds' resources they are absent. */
export interface TencentClusterPowerStateOutputs {
  /** Tencent: the `forcePause` input, default `false`. Absent for other clouds. */
  readonly forcePause: pulumi.Output<boolean | undefined>;
  /** Tencent: the `allowAutoPause` input, default `true`. Absent for other clouds. */
  readonly allowAutoPause: pulumi.Output<boolean | undefined>;
}

/** findClusters options for Tencent Cloud TDSQL-C MySQL clusters (DescribeClusters, one region per list). */
export interface TencentFindClustersOptions extends CommonFindClustersOptions {
  cloud: "tencentcloud";
  /** The API Region to list, e.g. `"ap-guangzhou"`: DescribeClusters lists one region. */
  region: string;
  /** Resource tags (TagKey -> TagValue) every selected cluster carries, matched exactly. Default: none (any tags). */
  tags?: Record<string, string>;
}
