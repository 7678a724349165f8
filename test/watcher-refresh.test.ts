import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTencentDriver } from "../src/clouds/tencent";
import { DEMO_TENCENT_CREDENTIALS } from "../src/clouds/tencent/emulator";
import { createZillizDriver } from "../src/clouds/zilliz";
import { DEMO_ZILLIZ_API_KEY } from "../src/clouds/zilliz/emulator";
import { burstDelay, DEFAULT_WATCHER_PACING, StatusWatcher } from "../src/core/watcher";
import { startEmulator, type Emulator } from "../src/emulator/server";

/** Reads of a whole fleet at once (a refresh): coalesced into ceil(N/100) list calls. */

describe("burstDelay (pure)", () => {
  const p = { ...DEFAULT_WATCHER_PACING, quietMs: 20, maxCoalesceMs: 1000 };
  it("waits until reads stop arriving for quietMs", () => {
    expect(burstDelay(1000, 995, 500, p)).toBe(15);
    expect(burstDelay(1000, 980, 500, p)).toBe(0);
  });
  it("never past maxCoalesceMs after the oldest waiting read", () => {
    expect(burstDelay(1000, 999, 10, p)).toBe(10);
    expect(burstDelay(1000, 999, 0, p)).toBe(0);
  });
});

describe("a refresh burst against the emulator", () => {
  let emulator: Emulator;
  const N = 250;
  const tencentIds = Array.from({ length: N }, (_, i) => `cynosdbmysql-b${String(i).padStart(6, "0")}`);
  const zillizIds = Array.from({ length: N }, (_, i) => `in01-b${String(i).padStart(12, "0")}`);
  beforeAll(async () => {
    emulator = await startEmulator({
      seeds: {
        tencentcloud: { clusters: tencentIds.map((clusterId) => ({ clusterId, region: "ap-guangzhou" })) },
        zillizcloud: { clusters: zillizIds.map((clusterId) => ({ clusterId, regionId: "aws-us-west-2", plan: "Standard" as const })) },
      },
    });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it("Tencent: N reads asked together cost ceil(N/100) DescribeClusters and no detail call", async () => {
    const driver = createTencentDriver({ region: "ap-guangzhou", endpoint: emulator.url, credentials: DEMO_TENCENT_CREDENTIALS, env: {} });
    const watcher = new StatusWatcher(driver);
    emulator.log.clear();
    const snapshots = await Promise.all(tencentIds.map((id) => watcher.read(id, AbortSignal.timeout(30_000))));
    expect(snapshots.map((s) => s.power)).toEqual(tencentIds.map(() => "running"));
    expect(snapshots.every((s) => s.listView)).toBe(true);
    expect(emulator.log.count({ action: "DescribeClusters" })).toBe(Math.ceil(N / 100));
    expect(emulator.log.count({ action: "DescribeClusterDetail" })).toBe(0);
  });

  it("Zilliz: one listing of the account (ceil(account/100) pages) answers them all", async () => {
    const driver = createZillizDriver({ endpoint: emulator.url, apiKey: DEMO_ZILLIZ_API_KEY, env: {} });
    const watcher = new StatusWatcher(driver);
    emulator.log.clear();
    const snapshots = await Promise.all(zillizIds.map((id) => watcher.read(id, AbortSignal.timeout(30_000))));
    expect(snapshots.every((s) => s.power === "running" && !s.listView)).toBe(true);
    // The account also holds the emulator's few default clusters: at most one page more.
    expect(emulator.log.count({ action: "list" })).toBeLessThanOrEqual(Math.ceil((N + 10) / 100));
    expect(emulator.log.count({ action: "describe" })).toBe(0);
  });

  it("a lone read is answered in detail, with no coalescing window", async () => {
    const driver = createTencentDriver({ region: "ap-guangzhou", endpoint: emulator.url, credentials: DEMO_TENCENT_CREDENTIALS, env: {} });
    const watcher = new StatusWatcher(driver);
    emulator.log.clear();
    const snapshot = await watcher.read(tencentIds[0], AbortSignal.timeout(30_000));
    expect(snapshot.listView).toBeUndefined();
    expect(emulator.log.count({ action: "DescribeClusterDetail" })).toBe(1);
    expect(emulator.log.count({ action: "DescribeClusters" })).toBe(0);
  });
});
