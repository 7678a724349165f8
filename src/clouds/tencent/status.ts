import type { ClusterSnapshot, PowerState } from "../../core/power";

/**
 * Pure mapping of a TDSQL-C cluster's DbMode, Status and ServerlessStatus to a PowerState.
 * Documented values (cynosdb 2019-01-07 CynosdbClusterDetail / CynosdbCluster):
 *   DbMode: NORMAL | SERVERLESS
 *   Status: creating running isolating isolated activating offlining offlined deleting deleted
 *   ServerlessStatus: resume resuming pause pausing (DescribeClusters documents only resume | pause)
 * The docs' own examples show localized text ("运行中") and placeholders ("abc"), so anything
 * unexpected maps to "unknown" with the raw words kept, never to an exception.
 */

export interface TencentClusterFields {
  ClusterId?: string;
  DbMode?: string | null;
  Status?: string | null;
  ServerlessStatus?: string | null;
}

const SERVERLESS_STATES: Record<string, PowerState> = {
  resume: "running",
  resuming: "resuming",
  pause: "paused",
  pausing: "pausing",
};

/** Cluster Status values from which no pause/resume will ever complete: fail fast, do not wait. */
const DEAD_END_STATUSES = new Set(["isolating", "isolated", "offlining", "offlined", "deleting", "deleted"]);

const norm = (value: string | null | undefined): string => (value ?? "").trim();

/** The cloud's own words in one line, e.g. "SERVERLESS running/pause". */
export function rawStatusOf(fields: TencentClusterFields): string {
  const serverless = norm(fields.ServerlessStatus);
  return `${norm(fields.DbMode) || "?"} ${norm(fields.Status) || "?"}${serverless ? `/${serverless}` : ""}`;
}

export function snapshotFromFields(clusterId: string, fields: TencentClusterFields, requestId?: string): ClusterSnapshot {
  const rawStatus = rawStatusOf(fields);
  const dbMode = norm(fields.DbMode).toUpperCase();
  const status = norm(fields.Status).toLowerCase();
  const base = { clusterId, rawStatus, ...(requestId ? { requestId } : {}) };

  if (DEAD_END_STATUSES.has(status)) {
    return {
      ...base,
      power: "unknown",
      failureReason: `cluster is ${status} (${rawStatus}); a ${status} TDSQL-C cluster cannot be paused or resumed`,
    };
  }
  if (dbMode === "NORMAL") {
    return {
      ...base,
      power: status === "running" ? "running" : "unknown",
      unsupportedReason:
        `cluster is a NORMAL (provisioned) TDSQL-C cluster (${rawStatus}); PauseServerless/ResumeServerless work only on SERVERLESS clusters. ` +
        "Remove this resource, or switch the cluster to serverless.",
    };
  }
  // creating, activating, a localized or new Status, or a missing/new DbMode: wait and read again.
  if (dbMode !== "SERVERLESS" || status !== "running") return { ...base, power: "unknown" };
  return { ...base, power: SERVERLESS_STATES[norm(fields.ServerlessStatus).toLowerCase()] ?? "unknown" };
}
