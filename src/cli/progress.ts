import { MultiBar, type SingleBar } from "cli-progress";
import type { ClusterSnapshot, WriteReceipt } from "../core/power";
import type { CallRetry } from "../core/retry";
import { acceptedLine, liveLine, progressLine, retryLine } from "./format";
import type { ClusterOutcome } from "./outcome";

/**
 * Where waiting clusters show their progress (always stderr, so stdout carries only the result):
 * a live line per cluster on a terminal, one plain line per state change otherwise.
 */
export interface ProgressView {
  update(clusterId: string, snapshot: ClusterSnapshot): void;
  /** The cloud accepted a pause/resume call for this cluster. */
  accepted(clusterId: string, receipt: WriteReceipt): void;
  /** A call is being retried (a rate limit, say): a long series of retries is shown, not silent. */
  retrying(retry: CallRetry): void;
  finish(outcome: ClusterOutcome): void;
  /** Ends the view; the terminal is left with each cluster's final line. */
  stop(): void;
}

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/** What every command runs with: its two output streams and the Ctrl-C / SIGTERM signal. */
export interface CommandIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  /** Aborted on Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  now?: () => number;
}

export function progressView(stream: ProgressStream, clusterIds: string[], now: () => number = Date.now): ProgressView {
  // Lines redrawn in place must fit on the screen; a longer fleet gets the plain lines instead.
  const fits = clusterIds.length < (stream.rows || 24);
  return stream.isTTY && fits ? new LiveView(stream, clusterIds, now) : new PlainView(stream, now);
}

class PlainView implements ProgressView {
  private readonly started: number;
  private readonly last = new Map<string, string>();

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number,
  ) {
    this.started = now();
  }

  update(clusterId: string, snapshot: ClusterSnapshot): void {
    const key = `${snapshot.power}\u0000${snapshot.rawStatus}`;
    if (this.last.get(clusterId) === key) return;
    this.last.set(clusterId, key);
    this.stream.write(`${progressLine(clusterId, snapshot.power, snapshot.rawStatus, this.now() - this.started)}\n`);
  }

  accepted(clusterId: string, receipt: WriteReceipt): void {
    this.stream.write(`${acceptedLine(clusterId, receipt, this.now() - this.started)}\n`);
  }

  private readonly retried = new RetryThrottle();

  retrying(retry: CallRetry): void {
    const now = this.now();
    if (this.retried.due(retry, now)) this.stream.write(`${retryLine(retry, now - this.started)}\n`);
  }

  finish(): void {
    // The result lines on stdout follow; repeating them here would only double them in logs.
  }

  stop(): void {}
}

interface LineState {
  bar: SingleBar;
  state: string;
  rawStatus: string;
  succeeded?: boolean;
  note?: string;
  finishedAt?: number;
}

class LiveView implements ProgressView {
  private readonly multibar: MultiBar;
  private readonly lines = new Map<string, LineState>();
  private readonly started: number;
  private readonly idWidth: number;

  constructor(
    private readonly stream: ProgressStream,
    clusterIds: string[],
    private readonly now: () => number,
  ) {
    this.started = now();
    this.idWidth = Math.max(...clusterIds.map((id) => id.length));
    this.multibar = new MultiBar({
      stream: stream as NodeJS.WritableStream,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      linewrap: false,
      fps: 12,
      // The bar is only a line holder; the text is ours, recomputed on every redraw (spinner, clock).
      format: (_options, _params, payload: { id: string }) => this.render(payload.id),
    });
    for (const id of clusterIds) {
      this.lines.set(id, { bar: this.multibar.create(1, 0, { id }), state: "reading", rawStatus: "" });
    }
  }

  private render(id: string): string {
    const line = this.lines.get(id);
    if (!line) return id;
    const end = line.finishedAt ?? this.now();
    return liveLine(
      {
        clusterId: id,
        idWidth: this.idWidth,
        state: line.state,
        rawStatus: line.rawStatus,
        elapsedMs: end - this.started,
        succeeded: line.succeeded,
        note: line.note,
        frame: Math.floor((this.now() - this.started) / 80),
      },
      this.stream.columns || 120,
    );
  }

  update(clusterId: string, snapshot: ClusterSnapshot): void {
    const line = this.lines.get(clusterId);
    if (!line) return;
    if (line.state !== snapshot.power) line.note = undefined;
    line.state = snapshot.power;
    line.rawStatus = snapshot.rawStatus;
    line.bar.update(0, { id: clusterId });
  }

  accepted(clusterId: string, receipt: WriteReceipt): void {
    const line = this.lines.get(clusterId);
    if (!line) return;
    // The full RequestId is in the summary; the live line stays short enough for 80 columns.
    line.note = `${receipt.operation} accepted${receipt.flowId !== undefined ? ` (FlowId ${receipt.flowId})` : ""}`;
    line.bar.update(0, { id: clusterId });
  }

  retrying(retry: CallRetry): void {
    const line = retry.clusterId === undefined ? undefined : this.lines.get(retry.clusterId);
    if (!line) return;
    line.note = `${retry.action} ${retry.refused ? "refused" : "failed"}, retry ${retry.attempt + 1}`;
    line.bar.update(0, { id: retry.clusterId });
  }

  finish(outcome: ClusterOutcome): void {
    const line = this.lines.get(outcome.clusterId);
    if (!line) return;
    line.finishedAt = this.now();
    line.succeeded = !outcome.error;
    line.state = outcome.observedState ?? "unknown";
    line.rawStatus = outcome.rawStatus ?? "";
    line.note = outcome.error ? `[${outcome.error.code}]` : outcome.reachedTarget === false ? "not waiting" : undefined;
    line.bar.update(1, { id: outcome.clusterId });
  }

  stop(): void {
    this.multibar.stop();
  }
}

/**
 * One retry line per cluster (or per list call) at first, then at most one every `everyMs`: a
 * fleet retried for minutes shows it is alive without flooding the log.
 */
export class RetryThrottle {
  private readonly last = new Map<string, number>();

  constructor(private readonly everyMs = 10_000) {}

  due(retry: CallRetry, now: number): boolean {
    const key = retry.clusterId ?? `(list) ${retry.action}`;
    const last = this.last.get(key);
    if (last !== undefined && now - last < this.everyMs) return false;
    this.last.set(key, now);
    return true;
  }
}
