import { CLOUDS } from "../clouds";
import { errorCode } from "../core/errors";
import type { Operation, TargetPowerState, WriteReceipt } from "../core/power";
import type { CallRetry } from "../core/retry";
import { targetOf } from "../core/power";
import { callRef, type ClusterOutcome } from "./outcome";

/** Human text for the terminal. Pure: the progress views and the summary only arrange these strings. */

export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.floor(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = String(totalSeconds % 60).padStart(2, "0");
  return hours > 0 ? `${hours}h${String(minutes).padStart(2, "0")}m${seconds}s` : `${minutes}m${seconds}s`;
}

/** The RESULT column of a pause/resume summary. */
/** Cloud errors already name their code in the message; ours do not. */
export function failureText(error: NonNullable<ClusterOutcome["error"]>): string {
  // Not a failure of the cloud: the message says what was accepted and may still complete.
  if (error.kind === "interrupted") return error.message;
  return error.message.includes(`[${error.code}]`) ? `FAILED: ${error.message}` : `FAILED [${error.code}] ${error.message}`;
}

export function resultText(operation: Operation, outcome: ClusterOutcome): string {
  const target: TargetPowerState = targetOf(operation);
  if (outcome.error) return failureText(outcome.error);
  const call = outcome.operation && outcome.requestId ? callRef({ operation: outcome.operation, requestId: outcome.requestId, flowId: outcome.flowId ?? undefined }) : undefined;
  // A call whose answer was lost has no receipt, but it was made: never claim "no call made".
  const unanswered = !call && (outcome.writeCalls ?? 0) > 0 ? `a ${operation} call was sent; its answer was lost` : undefined;
  if (outcome.reachedTarget) {
    if (unanswered) return `${target} after ${formatElapsed(outcome.elapsedMs)} (${unanswered})`;
    return call ? `${target} after ${formatElapsed(outcome.elapsedMs)} (${call})` : `already ${target}; no call made`;
  }
  // --no-wait: say exactly what is known, never that it finished.
  // A cloud's prompt text is boilerplate ("Successfully Submitted..."): it stays in --json only.
  if (call) return `${operation} accepted (${call}); not waiting for ${target}`;
  if (unanswered) return `${unanswered}; not waiting for ${target}`;
  return `already ${outcome.observedState}; not waiting for ${target}`;
}

export function statusText(outcome: ClusterOutcome): string {
  if (outcome.error) return failureText(outcome.error);
  return outcome.detail ?? "";
}

/** An aligned table: one row per cluster, in the order they were given. */
export function summaryTable(command: "status" | Operation, outcomes: ClusterOutcome[]): string {
  // status of a cloud with settings (e.g. an auto-pause policy) shows them in a column of their own.
  const settings = command === "status" && outcomes[0] ? CLOUDS.get(outcomes[0].cloud)?.settings?.cli : undefined;
  const header = ["CLUSTER", "STATE", "CLOUD STATUS", ...(settings ? [settings.heading] : []), command === "status" ? "DETAIL" : "RESULT"];
  const rows = outcomes.map((o) => [
    o.clusterId,
    o.observedState ?? "-",
    o.rawStatus ?? "-",
    ...(settings ? [o.settings ? settings.describe(o.settings) : "-"] : []),
    command === "status" ? statusText(o) : resultText(command, o),
  ]);
  return table([header, ...rows]);
}

export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** A plain progress line (not a terminal): one per observed state change. */
export function progressLine(clusterId: string, power: string, rawStatus: string, elapsedMs: number): string {
  return `[${formatElapsed(elapsedMs).padStart(6)}] ${clusterId}: ${power} (${rawStatus})`;
}

/** A plain progress line for a call that is being retried (a rate limit, say). */
export function retryLine(retry: CallRetry, elapsedMs: number): string {
  const what = retry.refused ? "refused" : "failed";
  const seconds = (retry.delayMs / 1000).toFixed(1);
  return `[${formatElapsed(elapsedMs).padStart(6)}] ${retry.clusterId ?? "(list)"}: ${retry.action} ${what} [${errorCode(retry.error)}]; retry ${retry.attempt + 1} in ${seconds}s`;
}

/** A plain progress line for an accepted pause/resume call. */
export function acceptedLine(clusterId: string, receipt: WriteReceipt, elapsedMs: number): string {
  return `[${formatElapsed(elapsedMs).padStart(6)}] ${clusterId}: ${receipt.operation} accepted (${callRef(receipt)})`;
}

export const SPINNER_FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export interface LiveLine {
  clusterId: string;
  /** Width to pad cluster ids to, so states line up across lines. */
  idWidth: number;
  state: string;
  rawStatus: string;
  elapsedMs: number;
  /** undefined while working; true/false once finished. */
  succeeded?: boolean;
  /** Shown after the state once finished (e.g. the failure code). */
  note?: string;
  frame: number;
}

/** One line of the terminal view: spinner while waiting, a mark when done, elapsed time throughout. */
export function liveLine(line: LiveLine, columns = 120): string {
  const mark = line.succeeded === undefined ? SPINNER_FRAMES[line.frame % SPINNER_FRAMES.length] : line.succeeded ? "✔" : "✖";
  const raw = line.rawStatus ? ` (${line.rawStatus})` : "";
  const note = line.note ? `  ${line.note}` : "";
  const text = `${mark} ${line.clusterId.padEnd(line.idWidth)}  ${formatElapsed(line.elapsedMs).padStart(6)}  ${line.state}${raw}${note}`;
  // The multi-line view redraws in place; a wrapped line would break it.
  return text.length > columns ? `${text.slice(0, Math.max(1, columns - 1))}…` : text;
}
