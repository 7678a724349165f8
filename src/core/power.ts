/**
 * The one small interface every cloud's driver implements. The provider, the CLI and the
 * transition engine speak only these types; the rest of what a cloud is lives in its descriptor
 * (src/core/cloud.ts), and the list of clouds in src/clouds/index.ts.
 */

/** A cloud's registered name (see src/clouds/index.ts for the built-in ones). */
export type CloudName = string;

/** Steady states a user can ask for. */
export const TARGET_POWER_STATES = ["running", "paused"] as const;
export type TargetPowerState = (typeof TARGET_POWER_STATES)[number];

/** What we observed, normalized across clouds. `unknown` keeps the raw value for humans. */
export const POWER_STATES = ["running", "resuming", "paused", "pausing", "unknown"] as const;
export type PowerState = (typeof POWER_STATES)[number];

export type Operation = "pause" | "resume";

export function operationFor(target: TargetPowerState): Operation {
  return target === "paused" ? "pause" : "resume";
}

export function targetOf(operation: Operation): TargetPowerState {
  return operation === "pause" ? "paused" : "running";
}

/** The transitional state that leads to `target`. */
export function transitionalStateOf(target: TargetPowerState): PowerState {
  return target === "paused" ? "pausing" : "resuming";
}

/** One reading of a cluster. */
export interface ClusterSnapshot {
  clusterId: string;
  power: PowerState;
  /** The cloud's own words, e.g. "SERVERLESS running/pause"; never translated. */
  rawStatus: string;
  /**
   * Set when this API can never pause/resume the cluster (a provisioned, free or serverless plan,
   * say). The transition fails with this text before any write call.
   */
  unsupportedReason?: string;
  /**
   * Set when the cluster is in a state where waiting is pointless (abnormal, frozen, isolated,
   * deleted). The transition fails fast with this text.
   */
  failureReason?: string;
  /**
   * Set when the snapshot comes from a list view documented to show only steady states, so it may
   * lag behind a transition; a reader that needs the exact state confirms with `describe`.
   */
  listView?: true;
  /** The request id of the describe call that produced this snapshot, if the cloud returned one. */
  requestId?: string;
}

/** What a pause/resume call returned. */
export interface WriteReceipt {
  operation: Operation;
  requestId: string;
  /** The id of the cloud's asynchronous job behind the call, where it has one. */
  flowId?: number;
  /** The cloud's human answer to the call, where it gives one. */
  prompt?: string;
}

export type AsyncOperationStatus = "running" | "succeeded" | "failed";

/** A cloud's own write switches, by input name (see CloudInput.sentWithWrites); others ignore them. */
export type WriteOptions = Readonly<Record<string, unknown>>;

export interface CloudDriver {
  readonly cloud: CloudName;
  /**
   * Which quota and which view of the world this driver shares with others: same scope, same
   * account + endpoint (+ region). Never contains a secret (API keys appear as a fingerprint).
   */
  readonly scope: string;
  /** Reads the cluster. Throws ClusterNotFoundError when the cloud says it does not exist. */
  describe(clusterId: string, signal?: AbortSignal): Promise<ClusterSnapshot>;
  /**
   * Optional batched read (a list call) for the process-wide status watcher. Ids absent from the
   * result were not listed. `maxBatch` ids per call at most.
   */
  describeMany?(clusterIds: string[], signal?: AbortSignal): Promise<Map<string, ClusterSnapshot>>;
  /** Largest batch `describeMany` accepts. */
  readonly maxBatch?: number;
  /** Sends exactly one pause/resume request (retries of transport faults are the client's job). */
  write(operation: Operation, clusterId: string, options: WriteOptions, signal?: AbortSignal): Promise<WriteReceipt>;
  /**
   * Optional: the status of the asynchronous job behind a receipt, so a failed job fails the wait
   * at once instead of at the deadline.
   */
  operationStatus?(receipt: WriteReceipt, signal?: AbortSignal): Promise<AsyncOperationStatus>;
  /**
   * True when a write was refused only because of the cluster's current state: the engine
   * re-reads and decides again.
   */
  isStateConflict(error: unknown): boolean;
  /**
   * Clouds with `listing` (src/core/cloud.ts): every cluster these credentials see in this
   * driver's region (or account, where one list spans regions), read page by page to its end.
   * Throws (IncompleteListError, or the failing page's CloudApiError) rather than return part of it.
   */
  listClusters?(signal?: AbortSignal): Promise<ListedCluster[]>;
  /** Clouds with `settings` (src/core/cloud.ts): reads the cluster's settings once. */
  readSettings?(clusterId: string, signal?: AbortSignal): Promise<SettingsReading>;
  /**
   * Clouds with `settings`: sends exactly these settings (by input name) in one call and nothing
   * else, so the cloud's other settings stay as they are.
   */
  writeSettings?(clusterId: string, changes: SettingsValues, signal?: AbortSignal): Promise<SettingsReceipt>;
}

/** One cluster as a list call reports it. */
export interface ListedCluster {
  /** What the same call says about its state, with the cloud's verdict on whether it can be paused (unsupportedReason). */
  snapshot: ClusterSnapshot;
  /** Its name as the console shows it ("" when the cloud gave none). */
  name: string;
  /** The cloud's own region id. */
  region: string;
  /** The key/value pairs on the cluster (the cloud's tags or labels); {} when it has none. */
  pairs: Readonly<Record<string, string>>;
  /** Clouds whose clusters belong to projects: its project id. */
  projectId?: string;
}

/** Settings by input name, in the inputs' own units (e.g. { autoPause: true }). */
export type SettingsValues = Readonly<Record<string, unknown>>;

export interface SettingsReading {
  /** What the cloud reports; a setting it did not report is absent. */
  values: SettingsValues;
  requestId?: string;
}

export interface SettingsReceipt {
  requestId: string;
  /** The cloud's job id behind the change, where it returns one. */
  taskId?: number;
}
