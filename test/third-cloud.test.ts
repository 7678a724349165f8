import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { CLOUDS } from "../src/clouds";
import * as errors from "../src/core/errors";
import { safeEndpoint } from "../src/core/http";
import { startEmulator, type Emulator } from "../src/emulator/server";
import { assertBuilt, cleanEnv, runCli } from "./cli-helpers";
import { ProviderHost, ROOT, serializedShim, TYPE, urnOf } from "./harness/provider-harness";

/**
 * A cloud the package has never heard of, registered from test code (test/kit/third-cloud.cjs),
 * goes through check, create, read, update and delete in the real dynamic-provider host and through
 * the CLI, with no edit outside its own descriptor: the registry is the only list of clouds.
 */

interface FakePart {
  addCluster(id: string, state: "running" | "paused"): void;
  stateOf(id: string): string | undefined;
  writes: Array<{ clusterId: string; operation: string; deep: boolean }>;
}

const thirdCloud = createRequire(__filename)("./kit/third-cloud.cjs") as (deps: unknown) => Parameters<typeof CLOUDS.register>[0];
const PRELOAD = join(__dirname, "kit", "third-cloud-preload.cjs");
const PROJECT = "third-cloud";

let emulator: Emulator;
let part: FakePart;

beforeAll(async () => {
  assertBuilt();
  CLOUDS.register(thirdCloud({ z, safeEndpoint, ...errors }));
  emulator = await startEmulator({ transitionMs: 150, seeds: { fakecloud: { clusters: [] } } });
  part = emulator.part("fakecloud") as unknown as FakePart;
});

afterAll(async () => {
  await emulator?.stop();
});

describe("a third cloud through the real dynamic-provider host", () => {
  let host: ProviderHost;
  beforeAll(async () => {
    host = await ProviderHost.start({ cwd: ROOT, project: PROJECT, env: { NODE_OPTIONS: `--require ${PRELOAD}` } });
    await host.configure({ "fakecloud:token": "fake-token", "fakecloud:endpoint": emulator.url, "cluster-power:timeScale": "0.01" }, ["fakecloud:token"]);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it("check, create, read, update and delete, with its own input and its own rules", async () => {
    part.addCluster("fk-host1", "running");
    const shim = (await serializedShim()).text;
    const urn = urnOf("test", PROJECT, TYPE, "fk-host1");
    const calls = emulator.log.count({ cloud: "fakecloud" });

    const bad = await host.check(urn, {}, { cloud: "fakecloud", clusterId: "cynosdbmysql-8vcxoq75", forcePause: true, __provider: shim });
    expect(bad.failures.map((f) => f.property).sort()).toEqual(["clusterId", "forcePause"]);
    expect(bad.failures.find((f) => f.property === "forcePause")?.reason).toMatch(/only applies to cloud "tencentcloud".*remove it for cloud "fakecloud"/);
    expect(bad.failures.find((f) => f.property === "clusterId")?.reason).toMatch(/not a fakecloud cluster id; expected e\.g\. "fk-abc123"/);
    expect(emulator.log.count({ cloud: "fakecloud" })).toBe(calls);

    const checked = await host.check(urn, {}, { cloud: "fakecloud", clusterId: "fk-host1", deep: true, onDelete: "resume", __provider: shim });
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toMatchObject({ cloud: "fakecloud", powerState: "paused", deep: true, onDelete: "resume" });

    const created = await host.create(urn, checked.inputs);
    expect(created.id).toBe("fk-host1");
    expect(created.outputs).toMatchObject({ observedState: "paused", rawStatus: "paused", lastOperation: "pause", requestId: expect.stringMatching(/^fake-/) });
    expect(part.stateOf("fk-host1")).toBe("paused");
    expect(part.writes.filter((w) => w.clusterId === "fk-host1")).toEqual([{ clusterId: "fk-host1", operation: "pause", deep: true }]);

    part.addCluster("fk-host1", "running"); // resumed out of band
    const refreshed = await host.read(urn, created.id, created.outputs, checked.inputs);
    expect(refreshed.outputs).toMatchObject({ observedState: "running" });

    const news = (await host.check(urn, checked.inputs, { ...checked.inputs, deep: false })).inputs;
    await host.update(urn, created.id, refreshed.outputs, news, checked.inputs);
    expect(part.stateOf("fk-host1")).toBe("paused");
    expect(part.writes.filter((w) => w.clusterId === "fk-host1").at(-1)).toEqual({ clusterId: "fk-host1", operation: "pause", deep: false });

    await host.delete(urn, created.id, { ...news, observedState: "paused", rawStatus: "paused" }, news);
    expect(part.stateOf("fk-host1")).toBe("running");
  });
});

describe("a third cloud through the CLI", () => {
  const env = () =>
    cleanEnv({ NODE_OPTIONS: `--require ${PRELOAD}`, FAKECLOUD_TOKEN: "fake-token", FAKECLOUD_ENDPOINT: emulator.url, CLUSTER_POWER_TIME_SCALE: "0.05" });

  it("pauses with its own flag, reads status, and lists it in --help", async () => {
    part.addCluster("fk-cli1", "running");
    const pause = await runCli(["pause", "--cloud", "fakecloud", "--cluster-id", "fk-cli1", "--deep", "--json"], env());
    expect(pause.code, pause.stderr).toBe(0);
    expect(JSON.parse(pause.stdout).clusters[0]).toMatchObject({ cloud: "fakecloud", clusterId: "fk-cli1", observedState: "paused", reachedTarget: true, writeCalls: 1 });
    expect(part.writes.filter((w) => w.clusterId === "fk-cli1")).toEqual([{ clusterId: "fk-cli1", operation: "pause", deep: true }]);

    const status = await runCli(["status", "--cloud", "fakecloud", "--cluster-id", "fk-cli1"], env());
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/fk-cli1\s+paused\s+paused/);

    const help = await runCli(["pause", "--help"], env());
    expect(help.stdout).toMatch(/--cloud <cloud>.*fakecloud/s);
    expect(help.stdout).toMatch(/fakecloud\s+FAKECLOUD_TOKEN/);
  });

  it("refuses its flag on another cloud and another cloud's flag on it, before any call", async () => {
    const calls = emulator.log.count();
    const deepOnTencent = await runCli(["pause", "--cloud", "tencentcloud", "--region", "ap-guangzhou", "--cluster-id", "cynosdbmysql-8vcxoq75", "--deep"], env());
    expect(deepOnTencent.code).toBe(2);
    expect(deepOnTencent.stderr).toMatch(/--deep: applies to fakecloud only; drop it for tencentcloud/);
    const forceOnFake = await runCli(["pause", "--cloud", "fakecloud", "--cluster-id", "fk-cli1", "--force"], env());
    expect(forceOnFake.code).toBe(2);
    expect(forceOnFake.stderr).toMatch(/--force: applies to tencentcloud only; drop it for fakecloud/);
    expect(emulator.log.count()).toBe(calls);
  });
});
