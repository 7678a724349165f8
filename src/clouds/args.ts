import type { TencentClusterPowerStateArgs, TencentClusterPowerStateOutputs, TencentFindClustersOptions } from "./tencent/args";
import type { ZillizClusterPowerStateArgs, ZillizClusterPowerStateOutputs, ZillizFindClustersOptions } from "./zilliz/args";

/*
 * The program-side types of the built-in clouds, apart from their descriptors: a program's
 * declarations (resource.d.ts, index.d.ts) then load no descriptor, and so no zod, whose
 * declarations need TypeScript 5.4 and, under `moduleResolution: "node"`, `esModuleInterop`.
 * src/clouds/index.ts checks that this list and the descriptor list name the same clouds.
 */

/** ClusterPowerState inputs, one shape per built-in cloud, discriminated by `cloud`. */
export type CloudClusterPowerStateArgs = TencentClusterPowerStateArgs | ZillizClusterPowerStateArgs;
export type { TencentClusterPowerStateArgs, ZillizClusterPowerStateArgs };
/** The outputs that echo each built-in cloud's own inputs, merged into ClusterPowerState (src/resource.ts). */
export interface CloudClusterPowerStateOutputs extends TencentClusterPowerStateOutputs, ZillizClusterPowerStateOutputs {}
/** findClusters options, one shape per built-in cloud, discriminated by `cloud`. */
export type CloudFindClustersOptions = TencentFindClustersOptions | ZillizFindClustersOptions;
export type { TencentFindClustersOptions, ZillizFindClustersOptions };
/** The clouds this package ships. */
export type BuiltInCloud = CloudClusterPowerStateArgs["cloud"];
/** A registered cloud's name: a built-in one, or one registered at run time (extensions, tests). */
export type CloudName = BuiltInCloud | (string & Record<never, never>);
