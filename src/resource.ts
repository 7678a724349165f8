import * as pulumi from "@pulumi/pulumi";
import type { CloudName, PowerState, TargetPowerState } from "./core/power";
import { providerShim, referenceSpecifier, IMPLEMENTATION_EXPORT } from "./provider/shim";
import type { ClusterPowerArgsShape, ClusterPowerOutputs } from "./provider/schema";

/** Arguments of ClusterPowerState: the zod-inferred shape, each value a pulumi.Input. */
export type ClusterPowerStateArgs = { [K in keyof ClusterPowerArgsShape]: pulumi.Input<NonNullable<ClusterPowerArgsShape[K]>> };

/** Outputs the provider computes (everything else echoes an input). */
const OBSERVED_OUTPUTS = ["observedState", "rawStatus", "flowId", "prompt", "requestId", "lastOperation", "lastChangedAt"] as const;

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
 * Declares whether a database cluster should be running or paused (Tencent Cloud TDSQL-C
 * serverless, Zilliz Cloud dedicated). Create and update move the cluster and wait; refresh reads
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
  /** The cloud's own status words, e.g. "SERVERLESS running/pause" or "STOPPED". */
  declare readonly rawStatus: pulumi.Output<string>;
  /** Tencent: FlowId of the last pause/resume call this resource made. */
  declare readonly flowId: pulumi.Output<number | undefined>;
  /** Zilliz: the prompt text of the last suspend/resume call this resource made. */
  declare readonly prompt: pulumi.Output<string | undefined>;
  declare readonly requestId: pulumi.Output<string | undefined>;
  declare readonly lastOperation: pulumi.Output<ClusterPowerOutputs["lastOperation"]>;
  declare readonly lastChangedAt: pulumi.Output<string | undefined>;

  constructor(name: string, args: ClusterPowerStateArgs, opts?: pulumi.CustomResourceOptions) {
    // Seeding the computed outputs with undefined registers them as outputs to wait for.
    const seeded: Record<string, unknown> = {};
    for (const key of OBSERVED_OUTPUTS) seeded[key] = undefined;
    super(provider, name, { ...seeded, ...args }, opts, "cluster-power", "ClusterPowerState");
  }
}
