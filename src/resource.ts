import * as pulumi from "@pulumi/pulumi";
import type { CloudClusterPowerStateArgs, CloudClusterPowerStateOutputs, CloudName } from "./clouds/args";
import type { PowerState, TargetPowerState } from "./core/power";
import { providerShim, referenceSpecifier, IMPLEMENTATION_EXPORT } from "./provider/shim";
import { CLOUDS } from "./clouds";
import { settingsOutputKeys } from "./core/settings";
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

/** The outputs of each cloud's own inputs, documented in the cloud's folder. */
export interface ClusterPowerState extends CloudClusterPowerStateOutputs {}

/**
 * Declares whether a database cluster should be running or paused (see `cloud` for the clouds
 * and plans). Create and update move the cluster and wait; refresh reads
 * the live state; see the README.
 */
export class ClusterPowerState extends pulumi.dynamic.Resource {
  /** The `cloud` input: which cloud the cluster lives in. */
  declare readonly cloud: pulumi.Output<CloudName>;
  /** The `clusterId` input: the cluster's id as the cloud's console shows it. */
  declare readonly clusterId: pulumi.Output<string>;
  /**
   * The `region` input. Absent when the input is not set, also when the region came from stack
   * config or the environment (where the cloud has such a fallback), which the state does not record.
   */
  declare readonly region: pulumi.Output<string | undefined>;
  /** The powerState this resource last reached: the input once a change completes; after a change that failed partway, the previous value (none on create), so the next up retries. */
  declare readonly powerState: pulumi.Output<TargetPowerState | undefined>;
  /** The `wait` input, default `true`. */
  declare readonly wait: pulumi.Output<boolean>;
  /** The `timeoutSeconds` input, default `1800`. */
  declare readonly timeoutSeconds: pulumi.Output<number>;
  /** The `onDelete` input, default `"leave"`. */
  declare readonly onDelete: pulumi.Output<"leave" | "resume">;
  /** The `endpoint` input; absent when not set (the endpoint may then come from config or the environment). */
  declare readonly endpoint: pulumi.Output<string | undefined>;
  /** Normalized state read from the cloud at the last create/update/refresh. */
  declare readonly observedState: pulumi.Output<PowerState>;
  /** The cloud's own status words. */
  declare readonly rawStatus: pulumi.Output<string>;
  /** The job id of the last pause/resume call this resource made, for clouds whose calls return one. */
  declare readonly flowId: pulumi.Output<number | undefined>;
  /** The answer text of the last pause/resume call this resource made, for clouds that give one. */
  declare readonly prompt: pulumi.Output<string | undefined>;
  /** RequestId of the last pause/resume call this resource made: quote it to the cloud's support. */
  declare readonly requestId: pulumi.Output<string | undefined>;
  /** `pause` or `resume`: the last call this resource made. */
  declare readonly lastOperation: pulumi.Output<"pause" | "resume" | undefined>;
  /** ISO 8601 time at which the cloud accepted the last pause/resume call this resource made. */
  declare readonly lastChangedAt: pulumi.Output<string | undefined>;
  /** The schedule edge this resource last brought the cluster to `powerState` for. */
  declare readonly scheduledAt: pulumi.Output<string | undefined>;
  /** The overrides rule (`enforce` when absent). */
  declare readonly overrides: pulumi.Output<"enforce" | "until-next-edge" | "pause-only" | undefined>;
  /** Under a schedule rule: since when a manual change has been respected. Absent otherwise. */
  declare readonly overriddenSince: pulumi.Output<string | undefined>;
  /** Under a schedule rule: the rule that decided at the last create/update/refresh, in words. */
  declare readonly overrideRule: pulumi.Output<string | undefined>;
  /** The `autoPause` input (the cloud's own auto-pause policy); absent when not managed. */
  declare readonly autoPause: pulumi.Output<boolean | undefined>;
  /** The `autoPauseDelaySeconds` input; absent when not managed. */
  declare readonly autoPauseDelaySeconds: pulumi.Output<number | undefined>;
  /** While the auto-pause policy is managed: whether the cloud reports it on (after a change: the value it accepted). */
  declare readonly observedAutoPause: pulumi.Output<boolean | undefined>;
  /** While the auto-pause policy is managed: the idle seconds before the cluster pauses itself, as the cloud reports them. */
  declare readonly observedAutoPauseDelaySeconds: pulumi.Output<number | undefined>;
  /** The job id of the last auto-pause policy change this resource made. */
  declare readonly autoPauseTaskId: pulumi.Output<number | undefined>;
  /** RequestId of the last auto-pause policy change this resource made. */
  declare readonly autoPauseRequestId: pulumi.Output<string | undefined>;

  constructor(name: string, args: ClusterPowerStateArgs, opts?: pulumi.CustomResourceOptions) {
    // Seeding the computed outputs with undefined registers them as outputs to wait for.
    const seeded: Record<string, unknown> = {};
    for (const key of OBSERVED_FIELDS) seeded[key] = undefined;
    for (const cloud of CLOUDS.all()) for (const key of settingsOutputKeys(cloud.settings)) seeded[key] = undefined;
    super(provider, name, { ...seeded, ...args }, opts, "cluster-power", "ClusterPowerState");
  }
}
