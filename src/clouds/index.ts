import type { CloudDescriptor } from "../core/cloud";
import { ConfigurationError } from "../core/errors";
import type { CloudEmulator } from "../emulator/contract";
import { tencentCloud } from "./tencent";
import type { TencentClusterPowerStateArgs } from "./tencent/args";
import { zillizCloud } from "./zilliz";
import type { ZillizClusterPowerStateArgs } from "./zilliz/args";

/** The built-in clouds: the package's one list of them. A new cloud is a folder and a line here. */
const BUILT_IN = [tencentCloud, zillizCloud] as const;

type BuiltIn = (typeof BUILT_IN)[number];
/** ClusterPowerState inputs, one shape per built-in cloud, discriminated by `cloud`. */
export type CloudClusterPowerStateArgs = TencentClusterPowerStateArgs | ZillizClusterPowerStateArgs;
export type { TencentClusterPowerStateArgs, ZillizClusterPowerStateArgs };
/** The clouds this package ships. */
export type BuiltInCloud = BuiltIn["name"];
/** A registered cloud's name: a built-in one, or one registered at run time (extensions, tests). */
export type CloudName = BuiltInCloud | (string & Record<never, never>);

type PartsByName = { [D in BuiltIn as D["name"]]: D extends CloudDescriptor<infer Part> ? Part : never };
/** The emulator part of a cloud, typed for the built-in clouds. */
export type EmulatorPartOf<Name extends string> = Name extends keyof PartsByName ? PartsByName[Name] : CloudEmulator;

export class CloudRegistry {
  private readonly byName = new Map<string, CloudDescriptor>();

  constructor(clouds: readonly CloudDescriptor[]) {
    for (const cloud of clouds) this.register(cloud);
  }

  /**
   * Adds a cloud. Its name and its cloud-only inputs must be new: two clouds that both declared
   * `forcePause` would make "only applies to cloud X" ambiguous.
   */
  register(cloud: CloudDescriptor): void {
    if (this.byName.has(cloud.name)) throw new Error(`cloud "${cloud.name}" is registered already`);
    for (const other of this.byName.values()) {
      const clash = Object.keys(cloud.inputs).find((input) => input in other.inputs);
      if (clash) throw new Error(`cloud "${cloud.name}" declares input "${clash}", which belongs to cloud "${other.name}"`);
    }
    this.byName.set(cloud.name, cloud);
  }

  all(): CloudDescriptor[] {
    return [...this.byName.values()];
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: unknown): name is CloudName {
    return typeof name === "string" && this.byName.has(name);
  }

  get(name: string): CloudDescriptor | undefined {
    return this.byName.get(name);
  }

  /** The descriptor, or a ConfigurationError on `field` that lists the clouds there are. */
  require(name: unknown, field = "cloud"): CloudDescriptor {
    const cloud = typeof name === "string" ? this.byName.get(name) : undefined;
    if (!cloud) throw new ConfigurationError(field, `${JSON.stringify(name)} is not a supported cloud; use one of ${this.quotedNames()}.`);
    return cloud;
  }

  quotedNames(): string {
    return this.names().map((n) => `"${n}"`).join(", ");
  }

  /** The cloud that declares this cloud-only input, if any. */
  ownerOfInput(input: string): CloudDescriptor | undefined {
    return this.all().find((cloud) => input in cloud.inputs);
  }
}

/** The process-wide registry every part of the package asks. */
export const CLOUDS = new CloudRegistry(BUILT_IN);
