import type * as pulumi from "@pulumi/pulumi";
import type { CommonClusterPowerStateArgs } from "../../args";

/** ClusterPowerState inputs for a Zilliz Cloud dedicated cluster. */
export interface ZillizClusterPowerStateArgs extends CommonClusterPowerStateArgs {
  /** Zilliz Cloud dedicated clusters (managed Milvus). */
  cloud: "zillizcloud";
  /**
   * The control-plane API: `"v2"` (one global host, or the China host for ali-/tc- regions) or
   * the deprecated per-region `"v1"`, which needs `region`. Default `"v2"`. Changing it replaces
   * the resource.
   */
  apiVersion?: pulumi.Input<"v1" | "v2">;
}
