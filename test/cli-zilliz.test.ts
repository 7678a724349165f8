import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/server";
import { DEMO_ZILLIZ_API_KEY, type ZillizPlan } from "../src/clouds/zilliz/emulator";
import { assertBuilt, cleanEnv, runCli } from "./cli-helpers";

/** The built `cluster-power` command against the Zilliz part of the emulator, on v2 and v1. */

let emulator: Emulator;
let env: NodeJS.ProcessEnv;
let seq = 0;

function cluster(status: "RUNNING" | "STOPPED" = "RUNNING", plan: ZillizPlan = "Standard"): string {
  const id = `in01-cli${(++seq).toString().padStart(4, "0")}${status === "RUNNING" ? "r" : "s"}`;
  emulator.part("zillizcloud").addCluster({ clusterId: id, regionId: "aws-us-west-2", plan, status });
  return id;
}

const zc = (command: string, ...ids: string[]) => [command, "--cloud", "zillizcloud", ...ids.flatMap((id) => ["--cluster-id", id])];
const writes = (id: string) => emulator.log.count({ cloud: "zillizcloud", action: ["suspend", "resume"], clusterId: id });

beforeAll(async () => {
  assertBuilt();
  emulator = await startEmulator({ transitionMs: 300, seeds: { zillizcloud: { clusters: [] } } });
  env = cleanEnv({
    ZILLIZCLOUD_API_KEY: DEMO_ZILLIZ_API_KEY,
    CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT: emulator.url,
    CLUSTER_POWER_TIME_SCALE: "0.05",
  });
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(() => {
  emulator.setTransitionMs(300);
});

describe("cluster-power with --cloud zillizcloud", () => {
  it("status of several clusters, one of them on a plan that cannot be suspended", async () => {
    const [running, stopped, free] = [cluster("RUNNING"), cluster("STOPPED"), cluster("RUNNING", "Free")];
    const run = await runCli([...zc("status", running, stopped, free), "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.clusters.map((c: { observedState: string }) => c.observedState)).toEqual(["running", "paused", "running"]);
    expect(doc.clusters[0]).toMatchObject({ cloud: "zillizcloud", clusterId: running, rawStatus: "RUNNING", prompt: null, detail: null });
    expect(doc.clusters[0]).not.toHaveProperty("flowId");
    expect(doc.clusters[2].detail).toMatch(/Free/);
  });

  it("pause (v2 suspend) of two clusters at once, waiting until STOPPED; the prompt is returned", async () => {
    const ids = [cluster(), cluster()];
    const run = await runCli([...zc("pause", ...ids), "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    for (const [i, id] of ids.entries()) {
      const c = JSON.parse(run.stdout).clusters[i];
      expect(c).toMatchObject({ clusterId: id, observedState: "paused", rawStatus: "STOPPED", operation: "pause", writeCalls: 1, reachedTarget: true });
      expect(c.prompt).toMatch(/Successfully Submitted/);
      expect(emulator.log.find({ action: "suspend", clusterId: id })[0].apiVersion).toBe("v2");
    }
    expect(run.stderr).toMatch(new RegExp(`${ids[0]}: pausing \\(STOPPING\\)`));
  });

  it("resume on v1 (--api-version v1 --region) without waiting", async () => {
    emulator.setTransitionMs(5000);
    const id = cluster("STOPPED");
    const run = await runCli([...zc("resume", id), "--api-version", "v1", "--region", "aws-us-west-2", "--no-wait", "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    const c = JSON.parse(run.stdout).clusters[0];
    expect(c).toMatchObject({ observedState: "resuming", rawStatus: "RESUMING", operation: "resume", reachedTarget: false });
    expect(c.prompt).toMatch(/resuming/);
    expect(emulator.log.find({ action: "resume", clusterId: id })[0].apiVersion).toBe("v1");
  });

  it("a Serverless-plan cluster fails before any call: exit 1", async () => {
    const id = cluster("RUNNING", "Serverless");
    const run = await runCli(zc("pause", id), env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAILED \[Unsupported\] .*Serverless/);
    expect(writes(id)).toBe(0);
  });

  it("a wrong API key fails fast with the cloud's code (21119) and never shows the key", async () => {
    const id = cluster();
    const run = await runCli([...zc("status", id), "--json"], { ...env, ZILLIZCLOUD_API_KEY: "not-the-right-key-0123456789" });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).clusters[0].error.code).toBe("21119");
    expect(run.stdout + run.stderr).not.toContain("not-the-right-key-0123456789");
  });

  it("usage errors: exit 2, with the fix", async () => {
    const missingKey = await runCli(zc("status", "in01-abc"), { ...env, ZILLIZCLOUD_API_KEY: undefined });
    expect(missingKey.code).toBe(2);
    expect(missingKey.stderr).toMatch(/ZILLIZCLOUD_API_KEY: not set. Set it in the environment: export ZILLIZCLOUD_API_KEY=<key>/);

    const v1NoRegion = await runCli([...zc("resume", "in01-abc"), "--api-version", "v1"], env);
    expect(v1NoRegion.code).toBe(2);
    expect(v1NoRegion.stderr).toMatch(/--region: required with --api-version v1/);

    const badSite = await runCli([...zc("status", "in01-abc"), "--site", "intl"], env);
    expect(badSite.code).toBe(2);
    expect(badSite.stderr).toMatch(/use one of global, china/);
  });
});
