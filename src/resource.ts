import * as pulumi from "@pulumi/pulumi";
import type { CloudClusterPowerStateArgs, CloudName } from "./clouds";
import type { PowerState, TargetPowerState } from "./core/power";
import { providerShim, referenceSpecifier, IMPLEMENTATION_EXPORT } from "./provider/shim";
import { OBSERVED_FIELDS } from "./provider/schema";

/** The inputs of a ClusterPowerState: one shape per cloud, picked by `cloud`. */
export type ClusterPowerStateArgs = CloudClusterPowerStateArgs;

export const CLUSTER_POWER_STATE_TYPE = "pulumi-nodejs:dynamic/cluster-power:ClusterPowerState";

/**
 * The one provider every ClusterPowerState passes to Pulumi, picked once per program. Installed
 * from a node_modules folder, it is the implementation module itself: Pulumi's closure serializer
 * captures a module from node_modules by reference, so `__provider` is a single require() of the
 * exported path (under 300 bytes). Anywhere else (this repository's own programs, npm link,
 * workspaces) the serializer would copy the implementation by value, so the thin shim stands in.
 */
function sharedProvider(): pulumi.dynamic.ResourceProvider {
  const file = require.resolve("./provider/implementation");
  if (referenceSpecifier(file, process.cwd()) !== IMPLEMENTATION_EXPORT) return providerShim;
  return require("./provider/implementation") as pulumi.dynamic.ResourceProvider;
}

const provider = sharedProvider();

/**
 * Declares whether a database cluster should be running or paused (see `cloud` for the clouds
 * and plans). Create and update move the cluster and wait; refresh reads
 * the live state; see the README.
 */
export class ClusterPowerState extends pulumi.dynamic.Resource {
  declare readonly cloud: pulumi.Output<CloudName>;
  declare readonly clusterId: pulumi.Output<string>;
  declare readonly region: pulumi.Output<string | undefined>;
  /** The powerState this resource last reached: the input once a change completes; after a change that failed partway, the previous value (none on create), so the next up retries. */
  declare readonly powerState: pulumi.Output<TargetPowerState | undefined>;
  declare readonly forcePause: pulumi.Output<boolean | undefined>;
  declare readonly allowAutoPause: pulumi.Output<boolean | undefined>;
  declare readonly apiVersion: pulumi.Output<"v1" | "v2" | undefined>;
  declare readonly wait: pulumi.Output<boolean>;
  declare readonly timeoutSeconds: pulumi.Output<number>;
  declare readonly onDelete: pulumi.Output<"leave" | "resume">;
  declare readonly endpoint: pulumi.Output<string | undefined>;
  /** Normalized state read from the cloud at the last create/update/refresh. */
  declare readonly observedState: pulumi.Output<PowerState>;
  /** The cloud's own status words. */
  declare readonly rawStatus: pulumi.Output<string>;
  /** The job id of the last pause/resume call this resource made, for clouds whose calls return one. */
  declare readonly flowId: pulumi.Output<number | undefined>;
  /** The answer text of the last pause/resume call this resource made, for clouds that give one. */
  declare readonly prompt: pulumi.Output<string | undefined>;
  declare readonly requestId: pulumi.Output<string | undefined>;
  /** `pause` or `resume`: the last call this resource made. */
  declare readonly lastOperation: pulumi.Output<"pause" | "resume" | undefined>;
  declare readonly lastChangedAt: pulumi.Output<string | undefined>;

  constructor(name: string, args: ClusterPowerStateArgs, opts?: pulumi.CustomResourceOptions) {
    // Seeding the computed outputs with undefined registers them as outputs to wait for.
    const seeded: Record<string, unknown> = {};
    for (const key of OBSERVED_FIELDS) seeded[key] = undefined;
    super(provider, name, { ...seeded, ...args }, opts, "cluster-power", "ClusterPowerState");
  }
}
