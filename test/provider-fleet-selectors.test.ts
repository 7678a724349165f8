import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TencentClusterSeed } from "../src/clouds/tencent/emulator";
import type { ZillizSeedCluster } from "../src/clouds/zilliz/emulator";
import { startEmulator, type Emulator } from "../src/emulator/server";
import type * as Evaluate from "../tools/demo/evaluate";
import type * as Stack from "../tools/demo/stack";
import { Engine, ProviderHost, ROOT } from "./harness/provider-harness";

/**
 * The root program with selectors, end to end: evaluated under the mock monitor (selection reads
 * the emulator from the program's own process, preview included), then `up` through the real
 * dynamic-provider host. It must pause exactly the clusters the selectors pick, over several list
 * pages, and a cluster that stops matching must leave the stack as its onDelete says.
 */

const cjs = createRequire(join(ROOT, "package.json"));
const { evaluateProgram } = cjs("./build/tools/demo/evaluate.js") as typeof Evaluate;
const { loadStack } = cjs("./build/tools/demo/stack.js") as typeof Stack;

const pad = (i: number) => String(i).padStart(4, "0");
const tid = (i: number) => `cynosdbmysql-fl${pad(i)}`;
const zid = (i: number, plan = "in01") => `${plan}-f${pad(i)}`;

// 130 Tencent clusters (2 list pages): env=dev on every 20th; #40 opted out, #60 provisioned, #80 already paused.
const tencent = Array.from({ length: 130 }, (_, i): TencentClusterSeed => ({
  clusterId: tid(i),
  region: "ap-guangzhou",
  name: `db-${pad(i)}`,
  tags: { ...(i % 20 === 0 && { env: "dev" }), ...(i === 40 && { "cluster-power": "off" }) },
  ...(i === 60 && { dbMode: "NORMAL" as const }),
  ...(i === 80 && { serverlessStatus: "pause" as const }),
}));
// 120 Zilliz clusters (2 pages): env=dev on every 25th; #50 on the Free plan, #75 opted out.
const zilliz = Array.from({ length: 120 }, (_, i): ZillizSeedCluster => ({
  clusterId: zid(i, i === 50 ? "in03" : "in01"),
  regionId: "aws-us-west-2",
  plan: i === 50 ? "Free" : "Standard",
  labels: { ...(i % 25 === 0 && { env: "dev" }), ...(i === 75 && { "cluster-power": "Off" }) },
}));

let emulator: Emulator;
let host: ProviderHost;
let engine: Engine;

beforeAll(async () => {
  emulator = await startEmulator({ transitionMs: 150, seeds: { tencentcloud: { clusters: tencent }, zillizcloud: { clusters: zilliz } } });
  host = await ProviderHost.start({ cwd: ROOT, project: "cluster-power" });
  engine = new Engine(host);
});
afterAll(async () => {
  await host?.stop();
  await emulator?.stop();
});

const stack = () =>
  loadStack(ROOT, "dev", {
    "tencentcloud:endpoint": emulator.url,
    "zillizcloud:endpoint": emulator.url,
    "cluster-power:timeScale": "0.01",
    // One selected cluster is also named explicitly: the explicit entry wins.
    clusters: [{ name: "orders-db", cloud: "tencentcloud", clusterId: tid(100), region: "ap-guangzhou" }],
    selectors: [
      { cloud: "tencentcloud", region: "ap-guangzhou", tags: { env: "dev" } },
      { cloud: "zillizcloud", labels: { env: "dev" }, onDelete: "resume" },
    ],
  });

const writesTo = () =>
  emulator.log
    .find({ action: ["PauseServerless", "ResumeServerless", "suspend", "resume"] })
    .map((e) => `${e.action} ${e.clusterId}`)
    .sort();

describe("the root program's selectors", () => {
  it("declare exactly the matching clusters (in preview too), and up pauses exactly those", async () => {
    const settings = stack();
    await host.configure(settings.config, settings.secretKeys);

    const preview = await evaluateProgram(settings, { preview: true });
    const { resources } = await evaluateProgram(settings);
    const expected = ["orders-db", tid(0), tid(20), tid(120), tid(80), zid(0), zid(25), zid(100)].sort();
    expect(preview.resources.map((r) => r.name).sort()).toEqual(expected);
    expect(resources.map((r) => r.name).sort()).toEqual(expected);
    expect(resources.find((r) => r.name === zid(25))?.inputs).toMatchObject({ cloud: "zillizcloud", clusterId: zid(25), region: "aws-us-west-2", onDelete: "resume", powerState: "paused" });
    expect(resources.find((r) => r.name === "orders-db")?.inputs).toMatchObject({ clusterId: tid(100) });
    // Two pages per cloud for each evaluation, nothing else read or written by the program.
    expect(emulator.log.count({ action: "DescribeClusters" })).toBe(4);
    expect(emulator.log.count({ action: "list" })).toBe(4);

    const up = await engine.up(resources);
    expect(up.filter((s) => s.error || s.failures)).toEqual([]);
    expect(up.every((s) => s.op === "create" && s.after?.observedState === "paused")).toBe(true);
    // #80 was paused already: no call. Nothing outside the selection was touched.
    expect(writesTo()).toEqual(
      [...[0, 20, 100, 120].map((i) => `PauseServerless ${tid(i)}`), ...[0, 25, 100].map((i) => `suspend ${zid(i)}`)].sort(),
    );
    for (const i of [40, 60, 1, 99]) expect(emulator.part("tencentcloud").getCluster(tid(i))?.serverlessStatus).toBe("resume");
    for (const id of [zid(50, "in03"), zid(75), zid(1)]) expect(emulator.part("zillizcloud").getCluster(id)?.status).toBe("RUNNING");
  }, 120_000);

  it("a cluster that stops matching leaves the stack: onDelete leave touches nothing, resume wakes it", async () => {
    emulator.part("tencentcloud").setTags(tid(20), { env: "prod" });
    emulator.part("zillizcloud").setLabels(zid(25), { env: "dev", "cluster-power": "off" });
    emulator.log.clear();

    const { resources } = await evaluateProgram(stack());
    expect(resources.map((r) => r.name)).not.toContain(tid(20));
    expect(resources.map((r) => r.name)).not.toContain(zid(25));
    const up = await engine.up(resources);
    expect(up.filter((s) => s.error)).toEqual([]);
    expect(up.filter((s) => s.op === "delete").map((s) => s.name).sort()).toEqual([tid(20), zid(25)].sort());
    expect(writesTo()).toEqual([`resume ${zid(25)}`]);
    expect(emulator.part("tencentcloud").getCluster(tid(20))?.serverlessStatus).toBe("pause");
    expect(["RESUMING", "RUNNING"]).toContain(emulator.part("zillizcloud").getCluster(zid(25))?.status);
  }, 120_000);

  it("a failed list fails the program instead of shrinking the fleet", async () => {
    emulator.faults.push({ cloud: "zillizcloud", action: "list", skip: 1, fault: { kind: "error", code: "96016" } });
    await expect(evaluateProgram(stack())).rejects.toThrow(/\[96016\].*RequestId/);
  }, 60_000);
});
