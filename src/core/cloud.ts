import type { z } from "zod";
import type { CloudEmulator, EmulatorContext } from "../emulator/contract";
import type { CloudDriver, ClusterSnapshot } from "./power";
import type { CallRetry } from "./retry";

/**
 * Everything the rest of the package knows about one cloud. Each `src/clouds/<cloud>/index.ts`
 * exports one of these and `src/clouds/index.ts` lists them: the provider, the CLI, the emulator
 * server and the tools ask the registry, so a new cloud is a new folder plus one line there, and a
 * missing piece is a compile error rather than a silent fall-through to another cloud.
 */
export interface CloudDescriptor<Part extends CloudEmulator = CloudEmulator> {
  /** The `cloud` input value; also the stack-config namespace of its keys. */
  readonly name: string;
  /** For humans: what this cloud's clusters are (product and plan). */
  readonly title: string;
  /** An example cluster id, for messages that say what an id looks like. */
  readonly exampleClusterId: string;

  /** Resource inputs that only this cloud takes (validated by their schema, defaulted when absent). */
  readonly inputs: Readonly<Record<string, CloudInput>>;
  validateRegion(region: unknown): string;
  validateClusterId(clusterId: unknown): string;
  /** Why this cloud needs a region with these inputs (completes "region is required …"), or undefined. */
  regionRequired(inputs: Readonly<Record<string, unknown>>): string | undefined;
  /** Throws ConfigurationError for an endpoint its driver would refuse. */
  validateEndpoint(endpoint: string): void;

  /**
   * Provider configuration: the keys read from stack config under `<name>:` in configure(), and
   * the environment variables the driver falls back to. Secret keys are registered for redaction.
   */
  readonly config: readonly ConfigKey[];

  /** Builds a driver; throws ConfigurationError (field + fix) before any call. */
  createDriver(request: DriverRequest): CloudDriver;

  /** True when the snapshot says the cluster no longer exists (deleted, offlined). */
  isGone(snapshot: ClusterSnapshot): boolean;
  /**
   * Drift tolerance: true when, with these inputs, a cluster the cloud paused by itself satisfies
   * powerState "running" (the cloud wakes it on the next connection).
   */
  toleratesAutoPause(inputs: Readonly<Record<string, unknown>>): boolean;
  /** Which receipt fields this cloud's write calls fill, shown (null when absent) by the CLI. */
  readonly receiptFields: ReadonlyArray<"flowId" | "prompt">;

  readonly cli: CloudCli;
  readonly emulator: CloudEmulatorPart<Part>;

  /**
   * Optional: settings the cloud keeps for a cluster besides its power state (e.g. an idle
   * auto-pause policy), which the provider reconciles from this cloud's inputs and the CLI shows
   * and sets. A cloud that has it implements the driver's readSettings/writeSettings.
   */
  readonly settings?: CloudSettings;

  /**
   * Optional: the cloud lists its clusters with their key/value pairs, so clusters can be selected
   * by them (findClusters, `cluster-power list`). A cloud that has it implements the driver's
   * listClusters; without it, selecting this cloud's clusters is a ConfigurationError.
   */
  readonly listing?: CloudListing;
}

/** How one cloud's clusters are listed and selected. */
export interface CloudListing {
  /**
   * What this cloud calls the key/value pairs on a cluster: the findClusters option and output
   * key, and the CLI flag (`tags` -> `--tag k=v`, `labels` -> `--label k=v`).
   */
  readonly pairs: "tags" | "labels";
  /** True when its clusters belong to projects, which findClusters' `projectId` selects by. */
  readonly projects: boolean;
  /**
   * Throws ConfigurationError for a selection these driver options cannot serve (e.g. pairs
   * asked of an API version whose list does not report them).
   */
  check?(selection: { pairs: boolean; projectId: boolean }, options: Readonly<Record<string, unknown>>): void;
}

/**
 * Cluster settings managed from inputs. Each managed input is optional and has no default: unset
 * means "not managed", and then no call reads or writes anything. When at least one is set,
 * create/update read the settings and write only the managed fields that differ (one call, those
 * fields only), before any power change; refresh reads them; diff shows a difference between a
 * recorded value and the input as a change that needs no power transition.
 */
export interface CloudSettings {
  /** For messages: what these settings are, e.g. "auto-pause policy". */
  readonly title: string;
  /**
   * Managed input (one of `inputs`, without a default) -> the output that reports the value the
   * cloud has, in the input's own units. The observed outputs are present while a setting is managed.
   */
  readonly fields: Readonly<Record<string, string>>;
  /** Outputs that record the last change this resource made: its RequestId, and the cloud's job id where it returns one. */
  readonly receiptOutputs: { readonly requestId: string; readonly taskId?: string };
  readonly cli: SettingsCli;
}

export interface SettingsCli {
  /** The subcommand that sets them, e.g. "auto-pause"; other clouds' runs of it are usage errors. */
  readonly command: string;
  readonly description: string;
  /** The subcommand's own flags. */
  readonly flags: readonly CloudFlag[];
  /** The settings (by input name) the flags ask for; throws ConfigurationError naming the flag. */
  desired(flags: CliFlags): Record<string, unknown>;
  /** Table column heading (`status` and the subcommand), e.g. "AUTO-PAUSE". */
  readonly heading: string;
  /** Short text for what a read returned, e.g. "on, after 600 s". */
  describe(values: Readonly<Record<string, unknown>>): string;
}

export interface CloudInput {
  readonly schema: z.ZodType;
  /** Applied by check() when the input is absent. */
  readonly default?: unknown;
  /** Completes "only applies to cloud X (…)": what the input is for. */
  readonly why: string;
  /** Input changes that name another cluster or API replace the resource (delete first). */
  readonly replaces?: boolean;
  /** Passed to the driver's write() (a force switch, say), rather than only steering the provider. */
  readonly sentWithWrites?: boolean;
}

export interface ConfigKey {
  /** Key inside the cloud's namespace, e.g. "secretKey" for `<cloud>:secretKey`. */
  readonly key: string;
  readonly secret: boolean;
  /** Environment variables the driver reads when the key is not set, in order. */
  readonly env: readonly string[];
  /**
   * Optional: the resource input this key stands in for when a program leaves it out (e.g.
   * "region"). The provider then resolves input, then stack config `<cloud>:<key>`, then `env`, in
   * check() as in every operation (src/core/fallback.ts); the CLI resolves its flag, then `env`.
   * The value is used, not recorded: outputs hold the input only.
   */
  readonly fallbackFor?: string;
}

/** What a driver is built from: one resource's (or one CLI run's) view of an account. */
export interface DriverRequest {
  region?: string;
  endpoint?: string;
  /** This cloud's stack config by key (e.g. { secretId, secretKey }); absent keys undefined. */
  config: Readonly<Record<string, string | undefined>>;
  /** Cloud-only settings: inputs (e.g. apiVersion) and CLI choices (e.g. site). */
  options: Readonly<Record<string, unknown>>;
  env: NodeJS.ProcessEnv;
  /** Per-request budget override; default the cloud's own. */
  requestTimeoutMs?: number;
  /**
   * Told before a call is retried (a rate-limit refusal retried until the deadline, say), so a
   * long series of retries shows as progress rather than silence.
   */
  onRetry?: (retry: CallRetry) => void;
}

export interface CloudCli {
  /** Credentials come from the environment only (a flag would leave the secret in shell history). */
  readonly credentialEnv: { readonly required: readonly string[]; readonly optional: readonly string[] };
  /** The endpoint override variable, CLUSTER_POWER_<CLOUD>_ENDPOINT. */
  readonly endpointEnv: string;
  /** Host families for --site. */
  readonly sites: readonly string[];
  /** Help text for --region. */
  readonly regionHelp: string;
  /** Flags only this cloud takes. A flag given for another cloud is a usage error naming this one. */
  readonly flags: readonly CloudFlag[];
  /**
   * The driver request for this run from the common flags and this cloud's own; throws
   * ConfigurationError (a usage error) for a missing region and the like.
   */
  request(flags: CliFlags, env: NodeJS.ProcessEnv): DriverRequest;
  /** Write options for `pause`/`resume` from the flags (a force switch, say). */
  writeOptions(flags: CliFlags): Readonly<Record<string, unknown>>;
}

export interface CliFlags {
  region?: string;
  endpoint?: string;
  site?: string;
  /** Cloud-only flags by their option name (commander's camelCase), e.g. apiVersion, force. */
  [flag: string]: unknown;
}

export interface CloudFlag {
  /** commander flags, e.g. "--api-version <version>". */
  readonly flags: string;
  /** commander's attribute name, e.g. "apiVersion". */
  readonly attribute: string;
  readonly description: string;
  readonly choices?: readonly string[];
  /** Only on these commands (default: all power commands). */
  readonly commands?: readonly string[];
}

export interface CloudEmulatorPart<Part extends CloudEmulator> {
  /** The seed file section of this cloud (`{"<name>": …}`), checked before the emulator starts. */
  readonly seedSchema: z.ZodType;
  create(context: EmulatorContext, seed: unknown): Part;
  /** What `cluster-power emulator` prints for this cloud: shell exports and seeded clusters. */
  banner(part: Part, url: string, seed: unknown): { exports: string[]; rows: string[][] };
}
