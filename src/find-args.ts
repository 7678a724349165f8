import type { CloudName } from "./clouds/args";
import type { PowerState } from "./core/power";

/**
 * The options every cloud's findClusters takes. Each cloud adds its own (its key/value pairs,
 * projects, API version) in src/clouds/<cloud>/args.ts, and `FindClustersOptions` is the union,
 * discriminated by `cloud`; the same rules are checked at run time before any API call.
 */
export interface CommonFindClustersOptions {
  /** Only clusters whose name starts with this (case-sensitive). */
  namePrefix?: string;
  /**
   * A cluster carrying this tag (or label) key with the value `"off"` (any case) is never
   * selected, whatever else matches. Default `"cluster-power"`.
   */
  optOutTag?: string;
  /**
   * Also list clusters the cloud's API can never pause, with `eligible: false` and the reason.
   * Default `false`: they are left out.
   */
  includeIneligible?: boolean;
  /** API base URL override (https, or plain http to loopback only). Default: stack config `<cloud>:endpoint`, then the environment, then the cloud's public API. */
  endpoint?: string;
  /** The whole listing (every page, retries included) must finish within this many seconds, 1 to 86400. Default `300`. */
  timeoutSeconds?: number;
}

/** One cluster findClusters selected. Keys without a value are left out. */
export interface FoundCluster {
  cloud: CloudName;
  clusterId: string;
  /** Its name as the console shows it ("" when the cloud gave none). */
  name: string;
  /** The cloud's region id: pass it on as the resource's `region`. */
  region: string;
  /** Clouds whose clusters carry tags: every tag on the cluster. */
  tags?: Record<string, string>;
  /** Clouds whose clusters carry labels: every label on the cluster. */
  labels?: Record<string, string>;
  /** Clouds with projects: the cluster's project. */
  projectId?: string;
  /** Its state as the list reported it. */
  observedState: PowerState;
  /** The cloud's own status words, as in the resource's `rawStatus`. */
  rawStatus: string;
  /** False when the cloud's API can never pause it (only listed with `includeIneligible`). */
  eligible: boolean;
  /** Why it is not eligible. */
  reason?: string;
}
