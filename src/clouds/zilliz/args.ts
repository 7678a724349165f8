import type * as pulumi from "@pulumi/pulumi";
import type { CommonClusterPowerStateArgs } from "../../args";
import type { CommonFindClustersOptions } from "../../find-args";

/** ClusterPowerState inputs for a Zilliz Cloud dedicated cluster. */
export interface ZillizClusterPowerStateArgs extends CommonClusterPowerStateArgs {
  /** Required: Zilliz Cloud dedicated clusters (managed Milvus). Picks the Zilliz inputs below. */
  cloud: "zillizcloud";
  /**
   * The cluster's region id, e.g. `"aws-us-west-2"`; `ali-*` and `tc-*` regions select the China
   * host. Required with `apiVersion: "v1"`; default: none (v2 finds the cluster by its id).
   * Changing it replaces the resource.
   */
  region?: pulumi.Input<string>;
  /**
   * The control-plane API: `"v2"` (one global host, or the China host for ali-/tc- regions) or
   * the deprecated per-region `"v1"`, which needs `region`. Default `"v2"`. Changing it replaces
   * the resource.
   */
  apiVersion?: pulumi.Input<"v1" | "v2">;
}

/** Outputs that echo the Zilliz-only inputs; on other clouds' resources they are absent. */
export interface ZillizClusterPowerStateOutputs {
  /** Zilliz: the `apiVersion` input, default `"v2"`. Absent for other clouds. */
  readonly apiVersion: pulumi.Output<"v1" | "v2" | undefined>;
}

/** findClusters options for Zilliz Cloud clusters (the cluster list of the API key's scope). */
export interface ZillizFindClustersOptions extends CommonFindClustersOptions {
  cloud: "zillizcloud";
  /**
   * Only clusters in this region id, e.g. `"aws-us-west-2"`; an `ali-`/`tc-` region lists from the
   * China host. Required with `apiVersion: "v1"`. Default: every region the host serves.
   */
  region?: string;
  /** Cluster labels every selected cluster carries, matched exactly (v2 only). Default: none (any labels). */
  labels?: Record<string, string>;
  /** Only clusters of this project, e.g. `"proj-4487580fcfe2c8a4391686"`. */
  projectId?: string;
  /** The control-plane API to list with, as for the resource. Default `"v2"`. */
  apiVersion?: "v1" | "v2";
}
