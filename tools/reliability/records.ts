/**
 * The JSON the reliability suites write (test/reliability/record.ts) and the renderer reads
 * (tools/reliability/render.ts). One file per suite.
 */

export interface ReliabilityRecord {
  /** What was tried: a fault scenario, a crash, a batch of inputs, a load round, an endpoint rule. */
  kind: "fault" | "crash" | "input" | "load" | "endpoint" | "secret" | "probe";
  cloud?: "tencentcloud" | "zillizcloud";
  /** pause | resume | read (refresh) | a CLI/Check label; for a probe, the class of failure it tries. */
  operation?: string;
  /** Short name of what was injected or tried, e.g. "HTTP 502 (HTML)". */
  name: string;
  /** How it ended: "converged", "failed clearly", "partial result recorded", "refused", ... */
  outcome: string;
  /** The cluster's final state in the emulator. */
  finalState?: string;
  /** What the stack would record: outputs, a partial result, nothing, or the resource gone. */
  recorded?: string;
  /** The error text the user sees (first line, shortened). */
  error?: string;
  /** pause/resume calls the cloud received for this cluster. */
  writeCalls?: number;
  /** How many items (inputs, resources) this record stands for. */
  count?: number;
}

export interface SuiteRecord {
  suite: string;
  title: string;
  startedAt: string;
  finishedAt?: string;
  entries: ReliabilityRecord[];
  /** Named figures, e.g. "rss round 1 (MiB)". */
  figures: Record<string, number | string>;
  leaks: { scanned: number; found: number; where: string[] };
}
