import type { CloudDescriptor } from "../core/cloud";
import { ConfigurationError } from "../core/errors";
import type { CloudEmulator } from "../emulator/contract";
import type { BuiltInCloud, CloudName } from "./args";
import { tencentCloud } from "./tencent";
import { zillizCloud } from "./zilliz";

export type { BuiltInCloud, CloudClusterPowerStateArgs, CloudName, TencentClusterPowerStateArgs, ZillizClusterPowerStateArgs } from "./args";

/**
 * Compile-time: the descriptors and the program-side args union (./args, kept apart so program
 * declarations load no descriptor) name the same clouds, so neither list can miss one.
 */
function sameClouds<const T extends readonly { readonly name: BuiltInCloud }[]>(
  list: T & (Exclude<BuiltInCloud, T[number]["name"]> extends never ? unknown : "a cloud of ./args has no descriptor in BUILT_IN"),
): T {
  return list;
}

/** The built-in clouds: the package's one list of them. A new cloud is a folder, a line here and one in ./args. */
const BUILT_IN = sameClouds([tencentCloud, zillizCloud] as const);

type BuiltIn = (typeof BUILT_IN)[number];

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

/** Stack config keys (`<cloud>:<key>`) that hold secrets, for every registered cloud. */
export function secretConfigKeys(): string[] {
  return CLOUDS.all().flatMap((cloud) => cloud.config.filter((key) => key.secret).map((key) => `${cloud.name}:${key.key}`));
}

/** The process-wide registry every part of the package asks. */
export const CLOUDS = new CloudRegistry(BUILT_IN);
