import type { ClusterSnapshot, PowerState } from "../../core/power";

/**
 * Pure mapping from what Zilliz Cloud says about a cluster to the normalized snapshot.
 *
 * The docs' v2 enum spells the suspend states STOPPING/STOPPED, the v1 pages and Terraform's
 * user-facing values spell them SUSPENDING/SUSPENDED; which one the live API sends is
 * UNCONFIRMED, so both map to the same power state.
 */

const POWER_BY_STATUS: Readonly<Record<string, PowerState>> = {
  RUNNING: "running",
  STOPPING: "pausing",
  SUSPENDING: "pausing",
  STOPPED: "paused",
  SUSPENDED: "paused",
  RESUMING: "resuming",
};

/**
 * States in which waiting cannot help. CREATING and MODIFYING (and v1's INITIALIZING) are not
 * here: they end by themselves, so the engine waits through them.
 */
const FAILURE_BY_STATUS: Readonly<Record<string, string>> = {
  ABNORMAL:
    "Zilliz Cloud reports the cluster as ABNORMAL; it cannot be suspended or resumed until it is healthy again (see the cluster page in the Zilliz Cloud console or contact Zilliz support).",
  DELETING: "the cluster is DELETING in Zilliz Cloud; it can no longer be suspended or resumed.",
  DELETED: "the cluster is DELETED in Zilliz Cloud; remove it from the program or use an existing cluster id.",
  FREEZING:
    "Zilliz Cloud is freezing the cluster (usually an overdue payment or an organization restriction); settle it in the Zilliz Cloud console, then retry.",
  FROZEN:
    "the cluster is FROZEN in Zilliz Cloud (usually an overdue payment or an organization restriction); settle it in the Zilliz Cloud console, then retry.",
};

export const UNSUPPORTED_PLAN_REASONS: Readonly<Record<"Free" | "Serverless", string>> = {
  Free: "Free and Serverless plans cannot be suspended or resumed through the API; only Dedicated clusters can (this is a Free cluster, which Zilliz Cloud suspends by itself after 7 days of inactivity).",
  Serverless: "Free and Serverless plans cannot be suspended or resumed; only Dedicated clusters can (this is a Serverless cluster).",
};

/** Normalizes the raw status. Values we do not know stay `unknown` (the raw text is kept apart). */
export function powerOf(rawStatus: string): PowerState {
  return POWER_BY_STATUS[rawStatus.trim().toUpperCase()] ?? "unknown";
}

export function failureReasonOf(rawStatus: string): string | undefined {
  return FAILURE_BY_STATUS[rawStatus.trim().toUpperCase()];
}

/**
 * Which plan a cluster is on. v2 always returns `plan`; the v1 docs' describe example has no
 * `plan` field, and only then do we fall back to the id prefixes seen in Zilliz's own code
 * (in03- Free, in05- Serverless; Terraform does the same for in03-).
 */
export function effectivePlan(plan: string | undefined, clusterId: string): string | undefined {
  if (plan && plan.trim() !== "") return plan.trim();
  if (clusterId.startsWith("in03-")) return "Free";
  if (clusterId.startsWith("in05-")) return "Serverless";
  return undefined;
}

export function unsupportedReasonOf(plan: string | undefined, clusterId: string): string | undefined {
  const effective = effectivePlan(plan, clusterId)?.toLowerCase();
  if (effective === "free") return UNSUPPORTED_PLAN_REASONS.Free;
  if (effective === "serverless") return UNSUPPORTED_PLAN_REASONS.Serverless;
  return undefined;
}

/** The fields of a describe/list item that the snapshot needs. */
export interface ClusterFacts {
  clusterId: string;
  status: string;
  plan?: string;
}

export function snapshotOf(cluster: ClusterFacts, requestId?: string): ClusterSnapshot {
  const snapshot: ClusterSnapshot = {
    clusterId: cluster.clusterId,
    power: powerOf(cluster.status),
    rawStatus: cluster.status,
  };
  const unsupportedReason = unsupportedReasonOf(cluster.plan, cluster.clusterId);
  if (unsupportedReason) snapshot.unsupportedReason = unsupportedReason;
  const failureReason = failureReasonOf(cluster.status);
  if (failureReason) snapshot.failureReason = failureReason;
  if (requestId) snapshot.requestId = requestId;
  return snapshot;
}
