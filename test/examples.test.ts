import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ZILLIZ_CLUSTERS } from "../src/clouds/zilliz/emulator";
import { startEmulator, type Emulator } from "../src/emulator/server";
import type * as Evaluate from "../tools/demo/evaluate";
import type * as Stack from "../tools/demo/stack";
import { isSecretValue } from "../tools/engine-client";
import { ROOT, SHIM_FIXTURE, TYPE } from "./harness/provider-harness";

/**
 * Each Pulumi program of the repository, evaluated under the SDK's mock monitor in its own Node
 * process (real closure serialization, real config), asserting what it registers.
 */

const cjs = createRequire(join(ROOT, "package.json"));
const { evaluateProgram } = cjs("./build/tools/demo/evaluate.js") as typeof Evaluate;
const { loadStack } = cjs("./build/tools/demo/stack.js") as typeof Stack;

type Evaluation = Awaited<ReturnType<typeof evaluateProgram>>;
const byName = (e: Evaluation) => Object.fromEntries(e.resources.map((r) => [r.name, r]));

const runs: Record<string, Evaluation> = {};
const fixture = readFileSync(SHIM_FIXTURE, "utf8");
/** examples/zilliz-dedicated selects by label, so it is evaluated against an emulator with labelled clusters. */
let emulator: Emulator;

afterAll(() => emulator?.stop());

beforeAll(async () => {
  emulator = await startEmulator({
    seeds: {
      zillizcloud: {
        clusters: [
          ...DEFAULT_ZILLIZ_CLUSTERS,
          { clusterId: "in01-d3f7a91c5b2e846", clusterName: "dev-embeddings", regionId: "aws-us-west-2", plan: "Standard", labels: { env: "dev" } },
          { clusterId: "in01-e8b2c64d1a9f375", clusterName: "dev-optout", regionId: "aws-us-west-2", plan: "Standard", labels: { env: "dev", "cluster-power": "off" } },
          { clusterId: "in03-a1c9e57b3d2f864", clusterName: "dev-free", regionId: "aws-us-west-2", plan: "Free", labels: { env: "dev" } },
        ],
      },
    },
  });
  const jobs: Record<string, Promise<Evaluation>> = {
    rootPaused: evaluateProgram(loadStack(ROOT, "dev")),
    rootRunning: evaluateProgram(loadStack(ROOT, "dev", { powerState: "running" })),
    // Monday 2026-11-23 11:00 and 23:00 in Asia/Shanghai, Saturday 11:00.
    nightlyDay: evaluateProgram(loadStack(join(ROOT, "examples", "tencent-nightly"), "dev", { now: "2026-11-23T03:00:00Z" })),
    nightlyNight: evaluateProgram(loadStack(join(ROOT, "examples", "tencent-nightly"), "dev", { now: "2026-11-23T15:00:00Z" })),
    nightlyWeekend: evaluateProgram(loadStack(join(ROOT, "examples", "tencent-nightly"), "dev", { now: "2026-11-28T03:00:00Z" })),
    nightlyHoliday: evaluateProgram(loadStack(join(ROOT, "examples", "tencent-nightly"), "dev", { now: "2027-01-01T03:00:00Z" })),
    zilliz: evaluateProgram(loadStack(join(ROOT, "examples", "zilliz-dedicated"), "dev", { "zillizcloud:endpoint": emulator.url })),
  };
  for (const [key, job] of Object.entries(jobs)) runs[key] = await job;
}, 120_000);

describe("every program", () => {
  it("registers ClusterPowerState resources carrying the shared shim, plain inputs only", () => {
    for (const [run, evaluation] of Object.entries(runs)) {
      expect(evaluation.resources.length, run).toBeGreaterThan(0);
      for (const resource of evaluation.resources) {
        expect(resource.type).toBe(TYPE);
        expect(resource.inputs.__provider, `${run} ${resource.name}`).toBe(fixture);
        // Seeded outputs are not inputs; no input is a secret (nothing to hide in outputs either).
        expect(resource.inputs).not.toHaveProperty("observedState");
        for (const value of Object.values(resource.inputs)) expect(isSecretValue(value)).toBe(false);
      }
    }
  });
});

describe("the root program (Pulumi.yaml, stack dev)", () => {
  it("declares the fleet from config with one powerState switch", () => {
    const paused = byName(runs.rootPaused);
    expect(Object.keys(paused).sort()).toEqual(["analytics-db", "orders-db", "orders-search", "recs-hangzhou"]);
    expect(paused["orders-db"].inputs).toMatchObject({ cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75", region: "ap-guangzhou", powerState: "paused" });
    expect(paused["analytics-db"].inputs).toMatchObject({ onDelete: "resume", powerState: "paused" });
    expect(paused["recs-hangzhou"].inputs).toMatchObject({ cloud: "zillizcloud", clusterId: "in01-c5d2e8a1b4f7936", region: "ali-cn-hangzhou" });
    expect(runs.rootRunning.resources.map((r) => r.inputs.powerState)).toEqual(["running", "running", "running", "running"]);
    expect(runs.rootPaused.outputs.states).toMatchObject({ "cynosdbmysql-8vcxoq75": { desired: "paused" } });
  });
});

describe("examples/tencent-nightly", () => {
  it("runs clusters in business hours and pauses them at night and on weekends, gently", () => {
    const states = (e: Evaluation) => e.resources.map((r) => r.inputs.powerState);
    expect(states(runs.nightlyDay)).toEqual(["running", "running"]);
    expect(states(runs.nightlyNight)).toEqual(["paused", "paused"]);
    expect(states(runs.nightlyWeekend)).toEqual(["paused", "paused"]);
    expect(states(runs.nightlyHoliday)).toEqual(["paused", "paused"]);
    // 11:00 Shanghai on Monday 2026-11-23: running since 08:00 local (00:00Z), respecting manual changes until 20:00.
    expect(runs.nightlyDay.resources[0].inputs).toMatchObject({ scheduledAt: "2026-11-23T00:00:00.000Z", overrides: "until-next-edge" });
    expect(runs.nightlyDay.outputs).toMatchObject({ since: "2026-11-23T00:00:00.000Z", nextEdge: "2026-11-23T12:00:00.000Z" });
    expect(runs.nightlyNight.resources[0].inputs).toMatchObject({
      cloud: "tencentcloud",
      clusterId: "cynosdbmysql-8vcxoq75",
      region: "ap-guangzhou",
      forcePause: false,
      timeoutSeconds: 600,
    });
    expect(runs.nightlyNight.outputs.desired).toBe("paused");
  });
});

describe("examples/zilliz-dedicated", () => {
  it("declares each cluster's state, API version and hand-back policy", () => {
    const zilliz = byName(runs.zilliz);
    expect(zilliz["orders-search"].inputs).toMatchObject({ cloud: "zillizcloud", clusterId: "in01-3a8c1f5e2b7d9a4", powerState: "paused", onDelete: "resume" });
    expect(zilliz["catalog-vectors"].inputs).toMatchObject({ powerState: "running" });
    expect(zilliz["recs-hangzhou"].inputs).toMatchObject({ apiVersion: "v1", region: "ali-cn-hangzhou" });
    // `select`: the one dedicated, opted-in cluster labelled env=dev, left alone when it stops matching.
    expect(Object.keys(zilliz).sort()).toEqual(["catalog-vectors", "in01-d3f7a91c5b2e846", "orders-search", "recs-hangzhou"]);
    expect(zilliz["in01-d3f7a91c5b2e846"].inputs).toMatchObject({ clusterId: "in01-d3f7a91c5b2e846", region: "aws-us-west-2", powerState: "paused", onDelete: "leave" });
  });
});

describe("the examples' TypeScript", () => {
  it("type-checks against the package's public types (resolved through its exports map)", async () => {
    const tsc = cjs.resolve("typescript/bin/tsc");
    const results = await Promise.all(
      ["tencent-nightly", "zilliz-dedicated"].map((name) =>
        promisify(execFile)(process.execPath, [tsc, "-p", join(ROOT, "examples", name), "--noEmit"]).then(
          () => "",
          (error: { stdout?: string }) => `${name}: ${error.stdout ?? String(error)}`,
        ),
      ),
    );
    expect(results.join("")).toBe("");
  });
});
