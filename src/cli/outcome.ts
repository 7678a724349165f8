import { CLOUDS, type CloudName } from "../clouds";
import { CloudApiError, ConfigurationError, describeError, errorCode, TransitionError, TransportError } from "../core/errors";
import type { ClusterSnapshot, Operation, PowerState, WriteReceipt } from "../core/power";
import type { TransitionResult } from "../core/transition";

/**
 * What the command learned about one cluster, whatever happened: the shape of the `--json` output
 * and the input of the human summary and the exit code. Pure functions only.
 */

export const EXIT = {
  ok: 0,
  /** A cloud or operation error on at least one cluster. */
  failed: 1,
  /** The command line (or the environment it needs) is wrong. */
  usage: 2,
  /** Stopped by Ctrl-C / SIGTERM while working (128 + SIGINT, the shell convention). */
  interrupted: 130,
} as const;

export type ErrorKind = "usage" | "cloud" | "operation" | "interrupted";

export interface OutcomeError {
  /** The cloud's own error code, or ours (OUR_ERROR_CODES in src/core/errors.ts). */
  code: string;
  message: string;
  kind: ErrorKind;
}

export interface ClusterOutcome {
  cloud: CloudName;
  clusterId: string;
  /** The last state read from the cloud; null when no read succeeded. */
  observedState: PowerState | null;
  rawStatus: string | null;
  /** The job id of the pause/resume call this run made, for clouds whose calls return one. */
  flowId?: number | null;
  /** The cloud's answer text to the pause/resume call this run made, for clouds that give one. */
  prompt?: string | null;
  /**
   * RequestId of this run's pause/resume call; without one, of the failing request, else of the
   * last read.
   */
  requestId: string | null;
  /** pause/resume: which call this run made, if any. */
  operation?: Operation | null;
  writeCalls?: number;
  /** pause/resume: whether the cluster was seen in the target state. */
  reachedTarget?: boolean;
  /** status: why this cluster cannot be paused/resumed or is in a failed state, when so. */
  detail?: string | null;
  /** status, clouds with settings (e.g. an auto-pause policy): as read, by input name; null when not read. */
  settings?: Readonly<Record<string, unknown>> | null;
  elapsedMs: number;
  error?: OutcomeError;
}

function base(cloud: CloudName, clusterId: string, snapshot: ClusterSnapshot | undefined, elapsedMs: number) {
  return {
    cloud,
    clusterId,
    observedState: snapshot?.power ?? null,
    rawStatus: snapshot?.rawStatus ?? null,
    elapsedMs,
  };
}

/** The receipt fields the cloud fills, null when this run has none (so every row has the same keys). */
function receiptColumns(cloud: CloudName, source: { flowId?: number | null; prompt?: string | null } | undefined) {
  const out: { flowId?: number | null; prompt?: string | null } = {};
  for (const field of CLOUDS.get(cloud)?.receiptFields ?? []) Object.assign(out, { [field]: source?.[field] ?? null });
  return out;
}

function receiptFields(cloud: CloudName, receipt: WriteReceipt | undefined, snapshot: ClusterSnapshot | undefined) {
  return { ...receiptColumns(cloud, receipt), requestId: receipt?.requestId ?? snapshot?.requestId ?? null, operation: receipt?.operation ?? null };
}

export function statusOutcome(cloud: CloudName, clusterId: string, snapshot: ClusterSnapshot, elapsedMs: number): ClusterOutcome {
  // Reading a cluster that cannot be paused, or one in a failed state, is still a successful status.
  const detail = snapshot.unsupportedReason ?? snapshot.failureReason ?? null;
  return { ...base(cloud, clusterId, snapshot, elapsedMs), requestId: snapshot.requestId ?? null, detail };
}

export function transitionOutcome(cloud: CloudName, clusterId: string, result: TransitionResult, elapsedMs: number): ClusterOutcome {
  return {
    ...base(cloud, clusterId, result.snapshot, elapsedMs),
    ...receiptFields(cloud, result.receipt, result.snapshot),
    writeCalls: result.writeCalls,
    reachedTarget: result.reachedTarget,
  };
}

/** Any failure, with whatever the error carries about a started operation. */
export function failureOutcome(
  cloud: CloudName,
  clusterId: string,
  error: unknown,
  elapsedMs: number,
  command: "status" | Operation,
): ClusterOutcome {
  const partial = error instanceof TransitionError ? error.partial : {};
  const snapshot = partial.lastSnapshot;
  const outcome: ClusterOutcome = { ...base(cloud, clusterId, snapshot, elapsedMs), requestId: snapshot?.requestId ?? null };
  if (command !== "status") {
    Object.assign(outcome, receiptFields(cloud, partial.receipt, snapshot), { reachedTarget: false });
  }
  const info = classify(error);
  // Without a call of ours, the failing request's id is the one worth quoting to support.
  if (!partial.receipt && info.requestId) outcome.requestId = info.requestId;
  const message = messageFor(error, info.kind, command, partial.receipt, snapshot);
  // The engine prefixes its messages with the cluster id, which every output shows beside it anyway.
  const prefix = `${clusterId}: `;
  outcome.error = { code: info.code, kind: info.kind, message: message.startsWith(prefix) ? message.slice(prefix.length) : message };
  return outcome;
}

/** The code (errors.ts `errorCode`, the same the provider reports) and how the CLI treats it. */
export function classify(error: unknown): { code: string; kind: ErrorKind; requestId?: string } {
  const code = errorCode(error);
  if (code === "Interrupted") return { code, kind: "interrupted" };
  if (error instanceof TransitionError) {
    const cause = error.partial.cause;
    if (error.reason === "cloud-error" && cause !== undefined) return classify(cause);
    // Writes that ran out after refusals, a deadline reached while retrying: the cloud's last
    // answer is the RequestId worth quoting.
    return { code, kind: "operation", ...(cause instanceof CloudApiError && cause.requestId !== undefined && { requestId: cause.requestId }) };
  }
  if (error instanceof ConfigurationError) return { code, kind: "usage" };
  if (error instanceof CloudApiError) return { code, kind: "cloud", requestId: error.requestId };
  if (error instanceof TransportError) return { code, kind: "cloud" };
  return { code, kind: "operation" };
}

function messageFor(
  error: unknown,
  kind: ErrorKind,
  command: "status" | Operation,
  receipt: WriteReceipt | undefined,
  snapshot: ClusterSnapshot | undefined,
): string {
  if (kind !== "interrupted") return describeError(error);
  if (command === "status") return "interrupted before the cluster was read";
  const seen = snapshot ? `; last seen ${snapshot.power} (${snapshot.rawStatus})` : "";
  if (receipt) {
    // Never pretend it finished: the cloud has the request and carries on without us.
    return `interrupted while waiting; the ${receipt.operation} call (${callRef(receipt)}) was accepted and may still complete${seen}; check with \`cluster-power status\``;
  }
  return `interrupted before a ${command} call was confirmed (one may have been in flight)${seen}; check with \`cluster-power status\``;
}

export function callRef(receipt: WriteReceipt): string {
  const id = receipt.flowId !== undefined ? `FlowId ${receipt.flowId}, ` : "";
  return `${id}RequestId ${receipt.requestId}`;
}

/** 130 when interrupted; otherwise the worst of: usage (2) > any failure (1) > success (0). */
export function exitCodeFor(outcomes: ReadonlyArray<Pick<ClusterOutcome, "error">>, interrupted = false): number {
  if (interrupted || outcomes.some((o) => o.error?.kind === "interrupted")) return EXIT.interrupted;
  if (outcomes.some((o) => o.error?.kind === "usage")) return EXIT.usage;
  if (outcomes.some((o) => o.error)) return EXIT.failed;
  return EXIT.ok;
}

export type JsonCluster = Record<string, unknown> & { cloud: CloudName; clusterId: string; error?: { code: string; message: string } };

export interface JsonReport {
  command: "status" | Operation;
  ok: boolean;
  exitCode: number;
  clusters: JsonCluster[];
}

/**
 * The one document `--json` prints. Every cluster has the same keys in the same order (absent
 * values are null); `error` appears only on failure.
 */
export function jsonReport(command: "status" | Operation, outcomes: ClusterOutcome[], exitCode: number): JsonReport {
  return { command, ok: exitCode === EXIT.ok, exitCode, clusters: outcomes.map((o) => jsonCluster(command, o)) };
}

function jsonCluster(command: "status" | Operation, o: ClusterOutcome): JsonCluster {
  const cluster: JsonCluster = {
    cloud: o.cloud,
    clusterId: o.clusterId,
    observedState: o.observedState,
    rawStatus: o.rawStatus,
    ...receiptColumns(o.cloud, o),
    requestId: o.requestId,
  };
  if (command === "status") {
    cluster.detail = o.detail ?? null;
    if (CLOUDS.get(o.cloud)?.settings) cluster.settings = o.settings ?? null;
  } else {
    cluster.operation = o.operation ?? null;
    cluster.writeCalls = o.writeCalls ?? null;
    cluster.reachedTarget = o.reachedTarget ?? false;
  }
  cluster.elapsedMs = o.elapsedMs;
  if (o.error) cluster.error = { code: o.error.code, message: o.error.message };
  return cluster;
}

/**
 * What `--json` prints when the command could not run at all (a usage error, a missing
 * credential, a setting the driver refused, a crash): still exactly one document on stdout, so
 * `| jq` always has something to read.
 */
export interface JsonFailure {
  ok: false;
  exitCode: number;
  error: { code: string; message: string };
}

export function jsonFailure(error: unknown, exitCode: number): JsonFailure {
  return { ok: false, exitCode, error: { code: errorCode(error), message: describeError(error) } };
}

/** The text a `--json` document is printed as. */
export function jsonText(document: JsonReport | JsonFailure): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Whether the command line asks for `--json` (options end at "--"), read before or without parsing it. */
export function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).includes("--json");
}
