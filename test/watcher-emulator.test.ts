import { afterEach, describe, expect, it } from "vitest";
import { createTencentDriver } from "../src/clouds/tencent";
import { createZillizDriver } from "../src/clouds/zilliz";
import { SlidingWindowLimiter } from "../src/core/rate-limit";
import { transition, type WaitPolicy, DEFAULT_WAIT_POLICY } from "../src/core/transition";
import { DEFAULT_WATCHER_PACING, StatusWatcher, type WatcherPacing } from "../src/core/watcher";
import { startEmulator, type Emulator } from "../src/emulator/server";
import { DEMO_TENCENT_CREDENTIALS } from "../src/clouds/tencent/emulator";
import { DEMO_ZILLIZ_API_KEY } from "../src/clouds/zilliz/emulator";

/**
 * N operations waiting at once through one watcher against the emulator: the request log shows
 * the reads were batched (DescribeClusters / list pages), not one describe per cluster per poll.
 * The emulator's limit and our limiter are raised together so the test runs in well under a second
 * of writes; the documented 20/s is exercised by the benchmark.
 */

const N = 40;
const RATE = 200;
const TRANSITION_MS = 300;
const policy: WaitPolicy = { ...DEFAULT_WAIT_POLICY, firstDelayMs: 20, factor: 2, maxDelayMs: 80 };
const pacing: WatcherPacing = { ...DEFAULT_WATCHER_PACING, budgetCalls: 10, windowMs: 100, minRoundGapMs: 10, minBatch: 2 };
const tencentIds = Array.from({ length: N }, (_, i) => `cynosdbmysql-w${String(i).padStart(6, "0")}`);
const zillizIds = Array.from({ length: N }, (_, i) => `in01-w${String(i).padStart(12, "0")}`);

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

async function tencentFleet(showsTransitions: boolean) {
  emu = await startEmulator({ transitionMs: TRANSITION_MS, rateLimit: RATE, seeds: { tencentcloud: {
      describeClustersShowsTransitions: showsTransitions,
      clusters: tencentIds.map((clusterId) => ({ clusterId, region: "ap-guangzhou", serverlessStatus: "resume" as const })),
    } } });
  const limiter = new SlidingWindowLimiter({ limit: RATE, windowMs: 1000, marginMs: 20 });
  const driver = createTencentDriver({ region: "ap-guangzhou", endpoint: emu.url, credentials: DEMO_TENCENT_CREDENTIALS, limiter, env: {} });
  const watcher = new StatusWatcher(driver, pacing);
  const results = await Promise.all(
    tencentIds.map((id) =>
      transition(driver, id, "paused", { wait: true, deadline: Date.now() + 20_000, policy, read: (c, s) => watcher.read(c, s) }),
    ),
  );
  return { results, watcher, log: emu.log };
}

describe("status watcher against the emulator", () => {
  for (const showsTransitions of [false, true]) {
    it(`serves ${N} concurrent Tencent waits with batched DescribeClusters (list shows ${showsTransitions ? "pausing" : "only steady states"})`, async () => {
      const { results, watcher, log } = await tencentFleet(showsTransitions);
      expect(results.every((r) => r.reachedTarget && r.writeCalls === 1)).toBe(true);
      expect(log.count({ action: "PauseServerless" })).toBe(N);
      expect(log.count({ outcome: "RequestLimitExceeded" })).toBe(0);

      const batched = log.count({ action: "DescribeClusters" });
      const detail = log.count({ action: "DescribeClusterDetail" });
      const flows = log.count({ action: "DescribeFlow" });
      // Every transition reads at least twice (before the write, and to see "pause"), and most many
      // more times; one per cluster per poll would be >= 2N describe calls.
      expect(watcher.stats.reads).toBeGreaterThanOrEqual(2 * N);
      expect(batched + detail).toBeLessThan(watcher.stats.reads / 3);
      expect(batched).toBe(watcher.stats.batchCalls);
      // The detail call is only used for rounds that want a single cluster, and to confirm a miss.
      expect(detail).toBe(watcher.stats.singleCalls + watcher.stats.confirmCalls);
      expect(watcher.stats.confirmCalls).toBe(0);
      // With a list that hides the transition, the engine asks DescribeFlow only once the grace
      // reads run out, never once per read; with a list that shows it, not at all.
      if (showsTransitions) expect(flows).toBe(0);
      else expect(flows).toBeLessThanOrEqual(Math.ceil(watcher.stats.reads / DEFAULT_WAIT_POLICY.graceReads));
    });
  }

  it("confirms a cluster missing from DescribeClusters with one DescribeClusterDetail before reporting not-found", async () => {
    const { watcher, log } = await tencentFleet(true);
    log.clear();
    emu!.part("tencentcloud").removeCluster(tencentIds[0]);
    const never = new AbortController().signal;
    const [gone, present] = await Promise.allSettled([watcher.read(tencentIds[0], never), watcher.read(tencentIds[1], never)]);
    expect(gone.status).toBe("rejected");
    expect((gone as PromiseRejectedResult).reason.name).toBe("ClusterNotFoundError");
    expect(present).toMatchObject({ status: "fulfilled", value: { power: "paused" } });
    expect(log.count({ action: "DescribeClusters" })).toBe(1);
    expect(log.find({ action: "DescribeClusterDetail" }).map((e) => e.clusterId)).toEqual([tencentIds[0]]);
  });

  it(`serves ${N} concurrent Zilliz waits with list pages instead of per-cluster describes`, async () => {
    emu = await startEmulator({ transitionMs: TRANSITION_MS, rateLimit: RATE, seeds: { zillizcloud: { clusters: zillizIds.map((clusterId) => ({ clusterId, regionId: "aws-us-west-2", plan: "Standard" as const })) } } });
    const limiter = new SlidingWindowLimiter({ limit: RATE, windowMs: 1000, marginMs: 20 });
    const driver = createZillizDriver({ endpoint: emu.url, apiKey: DEMO_ZILLIZ_API_KEY, limiter, env: {}, pageSize: 25 });
    const watcher = new StatusWatcher(driver, pacing);
    const results = await Promise.all(
      zillizIds.map((id) => transition(driver, id, "paused", { wait: true, deadline: Date.now() + 20_000, policy, read: (c, s) => watcher.read(c, s) })),
    );
    expect(results.every((r) => r.reachedTarget && r.writeCalls === 1)).toBe(true);
    const log = emu.log;
    expect(log.count({ action: "suspend" })).toBe(N);
    expect(log.count({ outcome: "RateLimited" })).toBe(0);
    const pages = log.count({ action: "list" });
    const describes = log.count({ action: "describe" });
    expect(watcher.stats.reads).toBeGreaterThanOrEqual(2 * N);
    // 40 clusters at 25 per page: a batched read costs at most 2 pages.
    expect(pages).toBeLessThanOrEqual(2 * watcher.stats.batchCalls);
    expect(pages + describes).toBeLessThan(watcher.stats.reads / 3);
  });
});
