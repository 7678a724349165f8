import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CloudApiError, ClusterNotFoundError } from "../src/core/errors";
import type { CloudDriver, ClusterSnapshot } from "../src/core/power";
import {
  DEFAULT_WATCHER_PACING,
  StatusWatcher,
  callsOf,
  coalesce,
  planRound,
  pruneHistory,
  roundStartDelay,
  splitBatches,
  watcherPacingFor,
  type RoundRecord,
  type WatcherPacing,
} from "../src/core/watcher";

const ids = (n: number, prefix = "c") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("watcher planning (pure)", () => {
  it("coalesces duplicate reads and keeps first-asked order", () => {
    expect(coalesce([{ clusterId: "b" }, { clusterId: "a" }, { clusterId: "b" }, { clusterId: "c" }, { clusterId: "a" }])).toEqual(["b", "a", "c"]);
  });

  it("splits into batches of at most maxBatch with every id exactly once", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 1, max: 150 }), (n, size) => {
        const chunks = splitBatches(ids(n), size);
        expect(chunks.flat()).toEqual(ids(n));
        expect(chunks.every((c) => c.length >= 1 && c.length <= size)).toBe(true);
        expect(chunks.length).toBe(Math.ceil(n / size));
      }),
    );
  });

  it("reads 300 waiting clusters with 3 batched calls instead of 300 single ones", () => {
    const batched = planRound(ids(300), { batched: true, maxBatch: 100 }, 2);
    expect(callsOf(batched)).toBe(3);
    expect(batched.singles).toEqual([]);
    const unbatched = planRound(ids(300), { batched: false }, 2);
    expect(callsOf(unbatched)).toBe(300);
    expect(unbatched.singles).toEqual(ids(300));
  });

  it("counts a batch larger than one list page as several calls (a Zilliz list pages through the account)", () => {
    expect(callsOf(planRound(ids(300), { batched: true, maxBatch: 500 }, 2))).toBe(3);
    expect(callsOf(planRound(ids(250), { batched: true, maxBatch: 100 }, 2))).toBe(3);
    expect(callsOf(planRound(ids(5), { batched: true, maxBatch: 500 }, 2))).toBe(1);
  });

  it("reads a lone cluster through describe, and defaults the batch size to 100", () => {
    expect(planRound(["x"], { batched: true, maxBatch: 100 }, 2)).toEqual({ batches: [], singles: ["x"] });
    expect(planRound(ids(150), { batched: true }, 2).batches.map((b) => b.length)).toEqual([100, 50]);
  });

  const pacing: WatcherPacing = { ...DEFAULT_WATCHER_PACING, budgetCalls: 10, windowMs: 1000, minRoundGapMs: 200, minBatch: 2 };

  it("starts the first round at once, so the first poll after a write is not delayed", () => {
    expect(roundStartDelay(5_000, [], 1, pacing)).toBe(0);
    // The last round is long past: no delay either.
    expect(roundStartDelay(5_000, [{ startedAt: 1_000, calls: 3 }], 3, pacing)).toBe(0);
  });

  it("keeps the minimum gap between round starts", () => {
    expect(roundStartDelay(1_050, [{ startedAt: 1_000, calls: 1 }], 1, pacing)).toBe(150);
  });

  it("waits for older rounds to leave the window when the budget is spent", () => {
    const history: RoundRecord[] = [
      { startedAt: 0, calls: 4 },
      { startedAt: 300, calls: 4 },
      { startedAt: 600, calls: 2 },
    ];
    // 10 calls in the window: a 3-call round must wait for the first round (4 calls) to slide out.
    expect(roundStartDelay(800, history, 3, pacing)).toBe(200);
    // A 5-call round needs both of the first two rounds gone.
    expect(roundStartDelay(800, history, 5, pacing)).toBe(500);
  });

  it("lets a round larger than the whole budget run once the window is empty instead of never", () => {
    const delay = roundStartDelay(100, [{ startedAt: 0, calls: 2 }], 50, pacing);
    expect(delay).toBe(900);
  });

  it("never lets rounds exceed the budget in any window (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 10 })), { minLength: 1, maxLength: 60 }), (steps) => {
        // Rounds asked for at increasing times with random sizes; each starts when the pacing allows.
        let history: RoundRecord[] = [];
        const all: RoundRecord[] = [];
        let now = 0;
        for (const [gap, calls] of steps) {
          now += gap;
          history = pruneHistory(history, now, pacing);
          now += roundStartDelay(now, history, calls, pacing);
          const record = { startedAt: now, calls };
          history.push(record);
          all.push(record);
        }
        for (let i = 0; i < all.length; i++) {
          const inWindow = all.filter((r) => r.startedAt >= all[i].startedAt && r.startedAt < all[i].startedAt + pacing.windowMs);
          expect(inWindow.reduce((s, r) => s + r.calls, 0)).toBeLessThanOrEqual(pacing.budgetCalls);
          if (i > 0) expect(all[i].startedAt - all[i - 1].startedAt).toBeGreaterThanOrEqual(pacing.minRoundGapMs);
        }
      }),
    );
  });

  it("serves every read within two round spacings of asking, whatever the arrival pattern (no starvation)", () => {
    // Pure simulation of the watcher loop: a round takes every pending read; rounds last `roundMs`.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.constantFrom(...ids(400))), { minLength: 1, maxLength: 900 }),
        fc.integer({ min: 1, max: 50 }),
        (arrivals, roundMs) => {
          let t = 0;
          const reads = arrivals.map(([gap, id]) => ({ at: (t += gap / 10), id }));
          const waits: number[] = [];
          let history: RoundRecord[] = [];
          let now = 0;
          let next = 0;
          while (next < reads.length) {
            now = Math.max(now, reads[next].at);
            const queued = reads.slice(next).filter((r) => r.at <= now);
            const calls = callsOf(planRound(coalesce(queued.map((r) => ({ clusterId: r.id }))), { batched: true, maxBatch: 100 }, 2));
            history = pruneHistory(history, now, pacing);
            const start = now + roundStartDelay(now, history, calls, pacing);
            // Reads that arrive before the round starts join it.
            let end = next;
            while (end < reads.length && reads[end].at <= start) end++;
            const served = reads.slice(next, end);
            const finalCalls = callsOf(planRound(coalesce(served.map((r) => ({ clusterId: r.id }))), { batched: true, maxBatch: 100 }, 2));
            history.push({ startedAt: start, calls: finalCalls });
            for (const r of served) waits.push(start + roundMs - r.at);
            next = end;
            now = start + roundMs;
          }
          // 400 distinct ids need at most 4 calls per round, well inside the budget, so a read
          // waits at most for the round in flight, the gap, and its own round.
          const bound = roundMs + pacing.minRoundGapMs + roundMs;
          expect(Math.max(...waits)).toBeLessThanOrEqual(bound);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("scales only latency knobs with the time scale, never the call budget", () => {
    const scaled = watcherPacingFor(0.05);
    expect(scaled.minRoundGapMs).toBeCloseTo(DEFAULT_WATCHER_PACING.minRoundGapMs * 0.05);
    expect(scaled.budgetCalls).toBe(DEFAULT_WATCHER_PACING.budgetCalls);
    expect(scaled.windowMs).toBe(DEFAULT_WATCHER_PACING.windowMs);
    expect(watcherPacingFor(1)).toBe(DEFAULT_WATCHER_PACING);
  });
});

/** A driver backed by a map of cluster versions; counts calls; batch may be gated. */
class FakeDriver implements CloudDriver {
  readonly cloud = "tencentcloud" as const;
  readonly scope = "fake";
  readonly maxBatch = 100;
  describeCalls: string[] = [];
  batchCalls: string[][] = [];
  version = new Map<string, number>();
  /** Ids the list view does not show (yet). */
  hiddenFromList = new Set<string>();
  gone = new Set<string>();
  batchError?: unknown;
  gate?: Promise<void>;

  snapshot(id: string): ClusterSnapshot {
    return { clusterId: id, power: "running", rawStatus: `v${this.version.get(id) ?? 0}` };
  }
  async describe(id: string): Promise<ClusterSnapshot> {
    this.describeCalls.push(id);
    if (this.gone.has(id)) throw new ClusterNotFoundError({ cloud: "tencentcloud", code: "ResourceNotFound", message: "no", action: "DescribeClusterDetail", clusterId: id });
    return this.snapshot(id);
  }
  async describeMany(batch: string[]): Promise<Map<string, ClusterSnapshot>> {
    this.batchCalls.push(batch);
    await this.gate;
    if (this.batchError) throw this.batchError;
    return new Map(batch.filter((id) => !this.hiddenFromList.has(id) && !this.gone.has(id)).map((id) => [id, this.snapshot(id)]));
  }
  async write(): Promise<never> {
    throw new Error("not used");
  }
  isStateConflict() {
    return false;
  }
}

const quick: WatcherPacing = { ...DEFAULT_WATCHER_PACING, budgetCalls: 1000, windowMs: 1000, minRoundGapMs: 1, minBatch: 2 };
const never = new AbortController().signal;

describe("StatusWatcher", () => {
  it("answers 300 concurrent reads with 3 batched calls and no single describes", async () => {
    const d = new FakeDriver();
    const w = new StatusWatcher(d, quick);
    const got = await Promise.all(ids(300).map((id) => w.read(id, never)));
    expect(got.map((s) => s.clusterId)).toEqual(ids(300));
    expect(d.batchCalls.map((b) => b.length)).toEqual([100, 100, 100]);
    expect(d.describeCalls).toEqual([]);
    expect(w.stats).toMatchObject({ reads: 300, rounds: 1, batchCalls: 3, singleCalls: 0 });
  });

  it("reads a cluster once however many operations wait on it", async () => {
    const d = new FakeDriver();
    const w = new StatusWatcher(d, quick);
    await Promise.all([...Array(5)].map(() => w.read("a", never)).concat(w.read("b", never)));
    expect(d.batchCalls).toEqual([["a", "b"]]);
  });

  it("confirms a cluster missing from the list with one describe: lagging list -> snapshot, gone -> not found", async () => {
    const d = new FakeDriver();
    d.hiddenFromList.add("new");
    d.gone.add("deleted");
    const w = new StatusWatcher(d, quick);
    const [fresh, gone, ok] = await Promise.allSettled([w.read("new", never), w.read("deleted", never), w.read("x", never)]);
    expect(fresh).toMatchObject({ status: "fulfilled", value: { clusterId: "new" } });
    expect(gone.status).toBe("rejected");
    expect((gone as PromiseRejectedResult).reason).toBeInstanceOf(ClusterNotFoundError);
    expect(ok.status).toBe("fulfilled");
    expect(d.describeCalls.sort()).toEqual(["deleted", "new"]);
    expect(w.stats.confirmCalls).toBe(2);
  });

  it("never answers a read with data fetched before the read was asked for", async () => {
    const d = new FakeDriver();
    let open!: () => void;
    d.gate = new Promise((r) => (open = r));
    const w = new StatusWatcher(d, quick);
    const first = w.read("a", never);
    const second0 = w.read("b", never);
    await new Promise((r) => setTimeout(r, 10)); // the round for a+b is now in flight
    d.version.set("a", 2); // e.g. our write just happened
    const late = w.read("a", never);
    open();
    expect((await first).rawStatus).toBe("v2"); // the in-flight call reads at release time in this fake
    await second0;
    d.gate = undefined;
    d.version.set("a", 3);
    // The late read was not folded into the in-flight round; it got its own, later one.
    expect((await late).rawStatus).toBe("v3");
    expect(d.describeCalls).toEqual(["a"]); // alone in its round: read through describe
  });

  it("lets a hung call hold back only the reads of its own cluster", async () => {
    const d = new FakeDriver();
    let release!: () => void;
    const hang = new Promise<void>((r) => (release = r));
    const describe = d.describe.bind(d);
    d.describe = async (id) => {
      if (id === "stuck" && d.describeCalls.filter((c) => c === "stuck").length === 0) {
        d.describeCalls.push(id);
        await hang;
        return d.snapshot(id);
      }
      return describe(id);
    };
    const w = new StatusWatcher(d, quick);
    const stuck = w.read("stuck", never);
    await new Promise((r) => setTimeout(r, 5));
    const others = await Promise.all(["a", "b"].map((id) => w.read(id, never)));
    expect(others.map((s) => s.clusterId)).toEqual(["a", "b"]);
    // A new read of the stuck cluster needs a call sent after it asked: it waits for the first to end.
    const again = w.read("stuck", never);
    await new Promise((r) => setTimeout(r, 5));
    expect(d.describeCalls.filter((c) => c === "stuck").length).toBe(1);
    release();
    await Promise.all([stuck, again]);
    expect(d.describeCalls.filter((c) => c === "stuck").length).toBe(2);
  });

  it("falls back to single describes when the batched read is refused, and stops batching", async () => {
    const d = new FakeDriver();
    d.batchError = new CloudApiError({ cloud: "tencentcloud", code: "UnauthorizedOperation.PermissionDenied", message: "CAM", action: "DescribeClusters" });
    const w = new StatusWatcher(d, quick);
    const got = await Promise.all(["a", "b", "c"].map((id) => w.read(id, never)));
    expect(got.map((s) => s.clusterId)).toEqual(["a", "b", "c"]);
    expect(d.batchCalls.length).toBe(1);
    await Promise.all(["a", "b"].map((id) => w.read(id, never)));
    expect(d.batchCalls.length).toBe(1);
    expect(d.describeCalls.length).toBe(5);
  });

  it("keeps batching after a retryable batch failure", async () => {
    const d = new FakeDriver();
    d.batchError = new CloudApiError({ cloud: "tencentcloud", code: "InternalError", message: "x", action: "DescribeClusters", retryable: true });
    const w = new StatusWatcher(d, quick);
    await Promise.all(["a", "b"].map((id) => w.read(id, never)));
    d.batchError = undefined;
    await Promise.all(["a", "b"].map((id) => w.read(id, never)));
    expect(d.batchCalls.length).toBe(2);
  });

  it("drops an aborted read without disturbing the others", async () => {
    const d = new FakeDriver();
    const w = new StatusWatcher(d, { ...quick, minRoundGapMs: 50 });
    await w.read("warm", never); // the next round now waits for the gap
    const ac = new AbortController();
    const dropped = w.read("a", ac.signal);
    const kept = w.read("b", never);
    ac.abort(new Error("stop"));
    await expect(dropped).rejects.toThrow("stop");
    expect((await kept).clusterId).toBe("b");
    expect(d.batchCalls).toEqual([]);
    expect(d.describeCalls).toEqual(["warm", "b"]);
  });

  it("paces rounds by the call budget", async () => {
    const d = new FakeDriver();
    const w = new StatusWatcher(d, { ...DEFAULT_WATCHER_PACING, budgetCalls: 2, windowMs: 60, minRoundGapMs: 0, minBatch: 2 });
    const started: number[] = [];
    const orig = d.describeMany.bind(d);
    d.describeMany = async (b) => {
      started.push(performance.now());
      return orig(b);
    };
    for (let i = 0; i < 4; i++) await Promise.all(["a", "b"].map((id) => w.read(id, never)));
    expect(started.length).toBe(4);
    // Two calls per 60 ms window at most: rounds 1 and 3 are at least a window apart.
    expect(started[2] - started[0]).toBeGreaterThanOrEqual(55);
  });
});
