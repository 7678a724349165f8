import { ClusterNotFoundError, CloudApiError } from "./errors";
import type { CloudDriver, ClusterSnapshot } from "./power";

/**
 * The process-wide status watcher. One provider host waits on every cluster of a stack at once;
 * if each waiting operation polled on its own, 300 clusters would cost 300 DescribeClusterDetail
 * calls per round against a 20/s quota. Instead every waiting read registers interest here, and
 * one paced loop per driver scope (account + endpoint + region) answers them in rounds:
 *
 * - reads of the same cluster that are waiting together cost one lookup (coalescing);
 * - a round reads its clusters through `describeMany` in chunks of `maxBatch` when the driver has
 *   a batched read, else through `describe` one by one (the driver's limiter lanes pace those);
 * - a round never answers a read with data fetched before the read was asked for, so a read that
 *   follows a write sees the cloud as it is after the write;
 * - rounds may overlap: a slow or hung call holds back only the reads of its own clusters;
 * - rounds are paced by a per-scope call budget (half the documented 20/s by default) so that
 *   describe traffic leaves room for other clients of the same account;
 * - a cluster missing from a batched result is confirmed with a single describe before it is
 *   reported not-found, because list views may lag behind.
 *
 * The decisions are small pure functions (`coalesce`, `planRound`, `roundStartDelay`) tested
 * without I/O; the `StatusWatcher` class only wires them to timers and the driver.
 */

export interface WatcherPacing {
  /** Describe calls a scope may make in any `windowMs` (batched or single). */
  budgetCalls: number;
  windowMs: number;
  /**
   * Minimum spacing between round starts. It lets reads that arrive close together share a
   * batch; it is a latency knob, so it follows the time scale (watcherPacingFor).
   */
  minRoundGapMs: number;
  /**
   * Use the batched read only when a round wants at least this many clusters. One cluster is
   * cheaper and fresher through `describe` (a detail view shows transitional states that some
   * list views do not, and a paged list may cost several calls for one id).
   */
  minBatch: number;
  /**
   * A burst (a refresh of the whole stack: the engine sends every Read at once, and the host
   * hands them over one by one) keeps arriving for a while. A round that is due while reads still
   * arrive waits until none has come for `quietMs`, at most `maxCoalesceMs` after its oldest read,
   * so the burst shares one listing instead of one per round. Only reads asked with `coalesce`
   * (refresh, status) wait for this, and a read that arrives alone goes at once: a lone Read, or
   * the polls of waiting operations, never pay for the window.
   */
  quietMs: number;
  maxCoalesceMs: number;
}

export const DEFAULT_WATCHER_PACING: WatcherPacing = {
  budgetCalls: 10,
  windowMs: 1000,
  minRoundGapMs: 200,
  minBatch: 2,
  quietMs: 100,
  maxCoalesceMs: 1000,
};

/**
 * The pacing for a time scale (1 = the clouds' real time; an emulator run may use e.g. 0.01, see
 * the provider's `cluster-power:timeScale`).
 */
export function watcherPacingFor(scale: number): WatcherPacing {
  if (!(scale > 0) || scale === 1 || !Number.isFinite(scale)) return DEFAULT_WATCHER_PACING;
  // Only latency scales: the call budget is the cloud's real quota and does not.
  // The burst window follows how fast the engine hands Reads over, not the clouds' time: it does not scale.
  return { ...DEFAULT_WATCHER_PACING, minRoundGapMs: DEFAULT_WATCHER_PACING.minRoundGapMs * scale };
}

/**
 * Pure: how much longer a due round waits for a burst to end: until `quietMs` passed since the
 * last read arrived, but never past `maxCoalesceMs` after the oldest waiting read arrived.
 */
export function burstDelay(now: number, lastArrivalAt: number, oldestAskedAt: number, pacing: WatcherPacing): number {
  const untilQuiet = lastArrivalAt + pacing.quietMs - now;
  const untilCap = oldestAskedAt + pacing.maxCoalesceMs - now;
  return Math.max(0, Math.min(untilQuiet, untilCap));
}

/** Pure: the distinct cluster ids of the waiting reads, in the order they were first asked for. */
export function coalesce(reads: ReadonlyArray<{ clusterId: string }>): string[] {
  return [...new Set(reads.map((r) => r.clusterId))];
}

/** Pure: consecutive chunks of at most `size` ids. */
export function splitBatches(ids: readonly string[], size: number): string[][] {
  const step = Math.max(1, Math.floor(size));
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += step) out.push(ids.slice(i, i + step));
  return out;
}

export interface RoundPlan {
  /** Each entry is one `describeMany` call. */
  batches: string[][];
  /** Each entry is one `describe` call. */
  singles: string[];
}

export interface ReadCapability {
  batched: boolean;
  maxBatch?: number;
}

/** Pure: how one round reads `ids` (already coalesced, oldest first). */
export function planRound(ids: readonly string[], capability: ReadCapability, minBatch: number): RoundPlan {
  if (!capability.batched || ids.length < Math.max(1, minBatch)) return { batches: [], singles: [...ids] };
  return { batches: splitBatches(ids, capability.maxBatch ?? 100), singles: [] };
}

/**
 * The clouds' list APIs return at most this many clusters per page, so a batched read of n ids
 * costs at least ceil(n / LIST_PAGE) calls (a list that pages through the whole account may cost
 * more).
 */
export const LIST_PAGE = 100;

/** Pure: the calls a round will make, as far as the watcher can tell. */
export function callsOf(plan: RoundPlan): number {
  return plan.batches.reduce((sum, b) => sum + Math.max(1, Math.ceil(b.length / LIST_PAGE)), 0) + plan.singles.length;
}

export interface RoundRecord {
  startedAt: number;
  calls: number;
}

/**
 * Pure: how long to wait before starting a round that will make `nextCalls` calls, given the
 * rounds already started (oldest first). The round starts once (a) `minRoundGapMs` has passed
 * since the last round started and (b) the calls of the rounds still inside the trailing window,
 * plus this round's, fit the budget. A round larger than the whole budget waits for an empty
 * window rather than forever.
 */
export function roundStartDelay(now: number, history: readonly RoundRecord[], nextCalls: number, pacing: WatcherPacing): number {
  let at = now;
  const last = history[history.length - 1];
  if (last) at = Math.max(at, last.startedAt + pacing.minRoundGapMs);
  const need = Math.min(nextCalls, pacing.budgetCalls);
  let inWindow = history.filter((r) => r.startedAt > at - pacing.windowMs);
  let used = inWindow.reduce((sum, r) => sum + r.calls, 0);
  while (inWindow.length > 0 && used + need > pacing.budgetCalls) {
    // Wait until the oldest round in the window slides out of it.
    at = Math.max(at, inWindow[0].startedAt + pacing.windowMs);
    used -= inWindow[0].calls;
    inWindow = inWindow.slice(1);
  }
  return Math.max(0, at - now);
}

/** Pure: drops rounds that can no longer affect pacing. */
export function pruneHistory(history: RoundRecord[], now: number, pacing: WatcherPacing): RoundRecord[] {
  const horizon = now - Math.max(pacing.windowMs, pacing.minRoundGapMs);
  const keepFrom = history.findIndex((r) => r.startedAt > horizon);
  const kept = keepFrom < 0 ? [] : history.slice(keepFrom);
  // The last round always matters for the minimum gap.
  if (kept.length === 0 && history.length > 0) kept.push(history[history.length - 1]);
  return kept;
}

export interface WatcherStats {
  /** Reads asked for by waiting operations. */
  reads: number;
  rounds: number;
  batchCalls: number;
  singleCalls: number;
  /** Single describes that double-checked a cluster missing from a batch. */
  confirmCalls: number;
  /** Largest number of distinct clusters read in one round. */
  largestRound: number;
}

interface PendingRead {
  clusterId: string;
  /** When the read was asked for (the watcher's clock). */
  askedAt: number;
  coalesce: boolean;
  /** No other read arrived within quietMs before this one. */
  alone: boolean;
  resolve: (snapshot: ClusterSnapshot) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

export class StatusWatcher {
  private pending: PendingRead[] = [];
  private history: RoundRecord[] = [];
  private timer?: NodeJS.Timeout;
  private lastArrivalAt = Number.NEGATIVE_INFINITY;
  /** Clusters with a read call on the wire. */
  private readonly inFlight = new Set<string>();
  /** Set when the batched read was refused for good (e.g. a CAM policy that allows only the detail call). */
  private batchRefused = false;
  readonly stats: WatcherStats = { reads: 0, rounds: 0, batchCalls: 0, singleCalls: 0, confirmCalls: 0, largestRound: 0 };

  constructor(
    private driver: CloudDriver,
    readonly pacing: WatcherPacing = DEFAULT_WATCHER_PACING,
    private readonly now: () => number = Date.now,
  ) {}

  /** Newer drivers of the same scope carry the freshest credentials; use them from now on. */
  useDriver(driver: CloudDriver): void {
    this.driver = driver;
  }

  /**
   * Resolves with a reading of `clusterId` taken after this call; rejects as `describe` would.
   * `coalesce`: this read belongs to a burst of one-off reads (refresh, status) and may wait for
   * the rest of the burst (WatcherPacing.quietMs).
   */
  read(clusterId: string, signal: AbortSignal, options: { coalesce?: boolean } = {}): Promise<ClusterSnapshot> {
    if (signal.aborted) return Promise.reject(signal.reason);
    this.stats.reads++;
    return new Promise<ClusterSnapshot>((resolve, reject) => {
      const entry: PendingRead = {
        clusterId,
        askedAt: this.now(),
        coalesce: options.coalesce === true,
        alone: this.now() - this.lastArrivalAt > this.pacing.quietMs,
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.pending = this.pending.filter((p) => p !== entry);
          reject(signal.reason);
        },
      };
      signal.addEventListener("abort", entry.onAbort, { once: true });
      this.pending.push(entry);
      this.lastArrivalAt = entry.askedAt;
      this.schedule();
    });
  }

  private capability(): ReadCapability {
    return { batched: !!this.driver.describeMany && !this.batchRefused, maxBatch: this.driver.maxBatch };
  }

  /** Reads that can go in the next round: their cluster has no call in flight. */
  private eligible(): PendingRead[] {
    return this.pending.filter((r) => !this.inFlight.has(r.clusterId));
  }

  private schedule(): void {
    if (this.timer) return;
    const ready = this.eligible();
    if (ready.length === 0) return;
    const plan = planRound(coalesce(ready), this.capability(), this.pacing.minBatch);
    const now = this.now();
    this.history = pruneHistory(this.history, now, this.pacing);
    const delay = roundStartDelay(now, this.history, callsOf(plan), this.pacing);
    // Even with no delay, wait one macrotask so reads issued in the same tick share the round.
    this.timer = setTimeout(() => this.roundDue(), delay);
  }

  /** After the first round of a burst, the next one lets the rest of it arrive (WatcherPacing.quietMs). */
  private roundDue(): void {
    this.timer = undefined;
    const waiting = this.eligible();
    const burst = waiting.some((r) => r.coalesce) && !(waiting.length === 1 && waiting[0].alone);
    const wait = burst ? burstDelay(this.now(), this.lastArrivalAt, waiting[0].askedAt, this.pacing) : 0;
    if (wait > 0) this.timer = setTimeout(() => this.roundDue(), wait);
    else void this.runRound();
  }

  /**
   * Rounds may overlap: a slow or hung call holds back only the reads of its own clusters (they
   * need a call sent after they asked), never the rest of the scope.
   */
  private async runRound(): Promise<void> {
    const reads = this.eligible();
    if (reads.length === 0) return;
    const taken = new Set(reads);
    this.pending = this.pending.filter((r) => !taken.has(r));
    const ids = coalesce(reads);
    for (const id of ids) this.inFlight.add(id);
    const plan = planRound(ids, this.capability(), this.pacing.minBatch);
    const record: RoundRecord = { startedAt: this.now(), calls: callsOf(plan) };
    this.history.push(record);
    this.stats.rounds++;
    this.stats.largestRound = Math.max(this.stats.largestRound, ids.length);
    // Reads that arrive while this round is in flight may start the next one (paced).
    this.schedule();

    const byId = new Map<string, PendingRead[]>();
    for (const r of reads) byId.set(r.clusterId, [...(byId.get(r.clusterId) ?? []), r]);
    const settle = (id: string, outcome: { snapshot: ClusterSnapshot } | { error: unknown }) => {
      this.inFlight.delete(id);
      for (const r of byId.get(id) ?? []) {
        r.signal.removeEventListener("abort", r.onAbort);
        if (r.signal.aborted) continue;
        if ("snapshot" in outcome) r.resolve(outcome.snapshot);
        else r.reject(outcome.error);
      }
      // Reads of this cluster that waited for its call can go now.
      if (this.pending.some((r) => r.clusterId === id)) this.schedule();
    };
    // A call serves many waiters, so it lives as long as any of them still waits: once every read
    // it serves has given up (deadline, Ctrl-C), the call and its retries are cancelled, so nothing
    // outlives the operations that asked for it.
    const driver = this.driver;
    const single = async (id: string, confirm: boolean) => {
      if (confirm) this.stats.confirmCalls++;
      else this.stats.singleCalls++;
      // Fallbacks and confirmations spend budget too; later rounds pace around them.
      if (confirm || plan.batches.length > 0) record.calls++;
      const call = servedBy(byId.get(id) ?? []);
      try {
        settle(id, { snapshot: await driver.describe(id, call.signal) });
      } catch (error) {
        settle(id, { error });
      } finally {
        call.release();
      }
    };
    const batch = async (chunk: string[]) => {
      this.stats.batchCalls++;
      let found: Map<string, ClusterSnapshot>;
      const call = servedBy(chunk.flatMap((id) => byId.get(id) ?? []));
      try {
        found = await driver.describeMany!(chunk, call.signal);
      } catch (error) {
        if (call.signal.aborted) {
          // Nobody waits for these clusters any more: no fallback reads.
          for (const id of chunk) settle(id, { error });
          return;
        }
        // Each operation gets the answer for its own cluster: fall back to single reads. A
        // refusal that will not change (permissions, bad request) turns batching off for good.
        if (error instanceof CloudApiError && !error.retryable && !(error instanceof ClusterNotFoundError)) this.batchRefused = true;
        await Promise.all(chunk.map((id) => single(id, false)));
        return;
      } finally {
        call.release();
      }
      await Promise.all(
        chunk.map((id) => {
          const snapshot = found.get(id);
          return snapshot ? settle(id, { snapshot }) : single(id, true);
        }),
      );
    };
    await Promise.all([...plan.batches.map(batch), ...plan.singles.map((id) => single(id, false))]);
  }
}

/**
 * A signal for one call that serves `reads`: it aborts once every one of them has aborted.
 * `release` drops the listeners when the call is over.
 */
export function servedBy(reads: ReadonlyArray<{ signal: AbortSignal }>): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const signals = [...new Set(reads.map((r) => r.signal))];
  const check = () => {
    if (!controller.signal.aborted && signals.length > 0 && signals.every((s) => s.aborted)) controller.abort(signals[signals.length - 1]?.reason);
  };
  for (const s of signals) s.addEventListener("abort", check, { once: true });
  check();
  return {
    signal: controller.signal,
    release: () => {
      for (const s of signals) s.removeEventListener("abort", check);
    },
  };
}

const watchers = new Map<string, StatusWatcher>();

/** The watcher shared by every operation on this driver's scope in this process. */
export function watcherFor(driver: CloudDriver, pacing: WatcherPacing = DEFAULT_WATCHER_PACING): StatusWatcher {
  const key = `${driver.cloud}|${driver.scope}`;
  let watcher = watchers.get(key);
  if (!watcher) {
    watcher = new StatusWatcher(driver, pacing);
    watchers.set(key, watcher);
  } else {
    watcher.useDriver(driver);
  }
  return watcher;
}

/** The reader a transition uses while it waits: served by the process-wide watcher of the driver's scope. */
export function statusReaderFor(
  driver: CloudDriver,
  pacing: WatcherPacing = DEFAULT_WATCHER_PACING,
  options: { coalesce?: boolean } = {},
): (clusterId: string, signal: AbortSignal) => Promise<ClusterSnapshot> {
  const watcher = watcherFor(driver, pacing);
  return (clusterId, signal) => watcher.read(clusterId, signal, options);
}
