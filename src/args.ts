import type * as pulumi from "@pulumi/pulumi";

/**
 * The inputs every cloud's ClusterPowerState takes. Each cloud adds its own in its folder
 * (src/clouds/<cloud>/args.ts), and `ClusterPowerStateArgs` is the union, discriminated by `cloud`,
 * so an input of one cloud on another's resource is a compile error. The provider checks the same
 * rules again at run time (zod, src/provider/schema.ts), with a test that the two agree.
 */
export interface CommonClusterPowerStateArgs {
  /** Required: the cluster's id as the cloud's console shows it. Changing it replaces the resource. */
  clusterId: pulumi.Input<string>;
  /**
   * The cluster's region (the cloud's own region id). Required where the cloud says so. Default:
   * the cloud's stack config and environment variable where it has them (see its `region`), else
   * none. Changing it replaces the resource.
   */
  region?: pulumi.Input<string>;
  /** What the cluster should be. Default `"paused"`. */
  powerState?: pulumi.Input<"running" | "paused">;
  /**
   * Wait until the cluster reaches `powerState`. With `false`, create/update return once the
   * cloud accepted the call. Default `true`.
   */
  wait?: pulumi.Input<boolean>;
  /**
   * The whole create/update/delete (and each refresh read) must finish within this many seconds,
   * 1 to 86400. Default `1800`. The provider enforces it itself: dynamic providers get no
   * customTimeouts.
   */
  timeoutSeconds?: pulumi.Input<number>;
  /**
   * On destroy or removal from the program: `"leave"` touches nothing, `"resume"` wakes the
   * cluster and waits. Default `"leave"`.
   */
  onDelete?: pulumi.Input<"leave" | "resume">;
  /** API base URL override: https, or plain http to loopback only (a local emulator). Default: the cloud's public API. */
  endpoint?: pulumi.Input<string>;
  /**
   * The schedule edge (an ISO 8601 instant) at which `powerState` began; `powerSchedule(...).at(now)`
   * writes it. With `overrides` other than `"enforce"`, a new value is what makes the resource act
   * again. Default: none.
   */
  scheduledAt?: pulumi.Input<string>;
  /**
   * What a manual change between edges means. `"enforce"` (default): drift, corrected by the next
   * `up`. `"until-next-edge"`: once the cluster was brought to `powerState` for this `scheduledAt`,
   * a cluster found in the other state is left alone (output `overriddenSince`) until `scheduledAt`
   * changes. `"pause-only"`: like `"until-next-edge"` for pauses, and never resumes a cluster.
   */
  overrides?: pulumi.Input<"enforce" | "until-next-edge" | "pause-only">;
}
