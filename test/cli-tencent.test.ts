import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/server";
import { DEMO_TENCENT_CREDENTIALS } from "../src/clouds/tencent/emulator";
import { assertBuilt, cleanEnv, runCli, startCli } from "./cli-helpers";

/**
 * The built `cluster-power` command as a child process against the Tencent part of an emulator
 * running in this process. The CLI's waits run at 5% speed (CLUSTER_POWER_TIME_SCALE) against
 * 300 ms transitions, so each command takes well under a second or two.
 */

let emulator: Emulator;
let env: NodeJS.ProcessEnv;
let seq = 0;

/** Fresh clusters per test, so tests never depend on each other's leftovers. */
function cluster(serverlessStatus: "resume" | "pause" = "resume", extra: { dbMode?: "NORMAL" } = {}): string {
  const id = `cynosdbmysql-cli${(++seq).toString().padStart(4, "0")}${serverlessStatus === "pause" ? "p" : "r"}`;
  emulator.part("tencentcloud").addCluster({ clusterId: id, region: "ap-guangzhou", serverlessStatus, ...extra });
  return id;
}

const tc = (command: string, ...ids: string[]) => [command, "--cloud", "tencentcloud", "--region", "ap-guangzhou", ...ids.flatMap((id) => ["--cluster-id", id])];
const writes = (id?: string) => emulator.log.count({ cloud: "tencentcloud", action: ["PauseServerless", "ResumeServerless"], ...(id && { clusterId: id }) });

beforeAll(async () => {
  assertBuilt();
  emulator = await startEmulator({ transitionMs: 300, seeds: { tencentcloud: { clusters: [] } } });
  env = cleanEnv({
    TENCENTCLOUD_SECRET_ID: DEMO_TENCENT_CREDENTIALS.secretId,
    TENCENTCLOUD_SECRET_KEY: DEMO_TENCENT_CREDENTIALS.secretKey,
    CLUSTER_POWER_TENCENTCLOUD_ENDPOINT: emulator.url,
    CLUSTER_POWER_TIME_SCALE: "0.05",
  });
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(() => {
  emulator.setTransitionMs(300);
  emulator.faults.clear();
});

describe("cluster-power status (tencentcloud)", () => {
  it("reads several clusters at once: table on stdout, exit 0", async () => {
    const [running, paused, normal] = [cluster("resume"), cluster("pause"), cluster("resume", { dbMode: "NORMAL" })];
    const run = await runCli(tc("status", running, paused, normal), env);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^CLUSTER\s+STATE\s+CLOUD STATUS\s+AUTO-PAUSE\s+DETAIL$/);
    expect(lines[1]).toMatch(new RegExp(`^${running}\\s+running\\s+SERVERLESS running/resume`));
    expect(lines[2]).toMatch(new RegExp(`^${paused}\\s+paused\\s+SERVERLESS running/pause`));
    expect(lines[3]).toMatch(new RegExp(`^${normal}\\s+running\\s+NORMAL running\\s+.*SERVERLESS`));
    expect(writes()).toBe(0);
  });

  it("--json: one document with state, raw status and the read's RequestId", async () => {
    const [running, paused] = [cluster("resume"), cluster("pause")];
    const run = await runCli([...tc("status", running, paused), "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ command: "status", ok: true, exitCode: 0 });
    expect(doc.clusters).toHaveLength(2);
    expect(doc.clusters[0]).toMatchObject({ cloud: "tencentcloud", clusterId: running, observedState: "running", rawStatus: "SERVERLESS running/resume", flowId: null, detail: null });
    expect(doc.clusters[1]).toMatchObject({ clusterId: paused, observedState: "paused" });
    // The RequestId is the one the emulator issued for that describe call.
    expect(doc.clusters[0].requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a missing cluster is a cloud error: exit 1 with the cloud's code, the others still answered", async () => {
    const good = cluster("resume");
    const run = await runCli([...tc("status", good, "cynosdbmysql-doesnotexist"), "--json"], env);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.clusters[0]).not.toHaveProperty("error");
    expect(doc.clusters[1].error.code).toBe("ResourceNotFound.ClusterNotFoundError");
    expect(doc.clusters[1].requestId).toMatch(/^[0-9a-f-]{36}$/);

    const human = await runCli(tc("status", good, "cynosdbmysql-doesnotexist"), env);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/cynosdbmysql-doesnotexist\s+-\s+-\s+-\s+FAILED: .*\[ResourceNotFound.ClusterNotFoundError\]/);
    expect(human.stderr).toContain("1 of 2 cluster(s) failed");
  });
});

describe("cluster-power pause / resume (tencentcloud)", () => {
  it("pauses several clusters concurrently and waits; a repeat makes no call", async () => {
    // Long enough that one-after-another would put >= 1.5 s between the pause calls.
    emulator.setTransitionMs(1500);
    const ids = [cluster(), cluster(), cluster()];
    const run = await runCli([...tc("pause", ...ids), "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    for (const [i, id] of ids.entries()) {
      expect(doc.clusters[i]).toMatchObject({ clusterId: id, observedState: "paused", rawStatus: "SERVERLESS running/pause", operation: "pause", writeCalls: 1, reachedTarget: true });
      expect(doc.clusters[i].flowId).toEqual(expect.any(Number));
      expect(emulator.part("tencentcloud").getCluster(id)?.serverlessStatus).toBe("pause");
      // ForcePause is sent explicitly (an Integer in the API) and defaults to 0, as for the resource.
      const call = emulator.log.find({ action: "PauseServerless", clusterId: id });
      expect(call).toHaveLength(1);
      expect(JSON.parse(call[0].body)).toMatchObject({ ForcePause: 0 });
    }
    // The waits overlapped: every pause call was made before the first cluster could have settled.
    const pauses = emulator.log.find({ action: "PauseServerless" }).filter((e) => ids.includes(e.clusterId!));
    expect(Math.max(...pauses.map((e) => e.at)) - Math.min(...pauses.map((e) => e.at))).toBeLessThan(1500);

    const again = await runCli([...tc("pause", ...ids), "--json"], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).clusters.map((c: { writeCalls: number }) => c.writeCalls)).toEqual([0, 0, 0]);
    expect(writes()).toBe(emulator.log.count({ action: ["PauseServerless", "ResumeServerless"] }));
    for (const id of ids) expect(writes(id)).toBe(1);
  });

  it("plain progress lines on stderr when not on a terminal; the human summary on stdout", async () => {
    const id = cluster("pause");
    const run = await runCli(tc("resume", id), env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`\\] ${id}: paused \\(SERVERLESS running/pause\\)`));
    expect(run.stderr).toMatch(new RegExp(`\\] ${id}: resume accepted \\(FlowId \\d+, RequestId [0-9a-f-]{36}\\)`));
    expect(run.stderr).toMatch(new RegExp(`\\] ${id}: running \\(SERVERLESS running/resume\\)`));
    expect(run.stderr).not.toMatch(/\x1b\[/); // no cursor control codes in a log
    expect(run.stdout).toMatch(new RegExp(`${id}\\s+running\\s+SERVERLESS running/resume\\s+running after \\d+\\.\\ds \\(FlowId \\d+, RequestId`));
  });

  it("--no-wait returns once the call is accepted and reports the state the cloud shows then", async () => {
    emulator.setTransitionMs(5000);
    const id = cluster("resume");
    const run = await runCli([...tc("pause", id), "--no-wait", "--force", "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    const c = JSON.parse(run.stdout).clusters[0];
    expect(c).toMatchObject({ observedState: "pausing", rawStatus: "SERVERLESS running/pausing", operation: "pause", writeCalls: 1, reachedTarget: false });
    expect(c.flowId).toEqual(expect.any(Number));
    expect(emulator.part("tencentcloud").getCluster(id)?.serverlessStatus).toBe("pausing");
    expect(JSON.parse(emulator.log.find({ action: "PauseServerless", clusterId: id })[0].body)).toMatchObject({ ForcePause: 1 });

    // A second --no-wait while it is pausing makes no call and says so.
    const human = await runCli([...tc("pause", id), "--no-wait"], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/already pausing; not waiting for paused/);
    expect(writes(id)).toBe(1);
  });

  it("resume with and without waiting", async () => {
    const [a, b] = [cluster("pause"), cluster("pause")];
    const waited = await runCli([...tc("resume", a), "--json"], env);
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout).clusters[0]).toMatchObject({ observedState: "running", reachedTarget: true, operation: "resume" });

    emulator.setTransitionMs(5000);
    const noWait = await runCli([...tc("resume", b), "--no-wait"], env);
    expect(noWait.code, noWait.stderr).toBe(0);
    expect(noWait.stdout).toMatch(/resume accepted \(FlowId \d+, RequestId [0-9a-f-]{36}\); not waiting for running/);
    expect(emulator.part("tencentcloud").getCluster(b)?.serverlessStatus).toBe("resuming");
  });

  it("a cluster that cannot be paused fails before any call: exit 1, the rest still done", async () => {
    const [normal, good] = [cluster("resume", { dbMode: "NORMAL" }), cluster("resume")];
    const run = await runCli([...tc("pause", normal, good), "--json"], env);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout);
    expect(doc.clusters[0].error.code).toBe("Unsupported");
    expect(doc.clusters[0].error.message).toMatch(/NORMAL/);
    expect(doc.clusters[1]).toMatchObject({ observedState: "paused", reachedTarget: true });
    expect(writes(normal)).toBe(0);
  });

  it("a failed flow is an operation error with the FlowId: exit 1", async () => {
    const id = cluster("resume");
    emulator.faults.push({ cloud: "tencentcloud", action: "PauseServerless", clusterId: id, fault: { kind: "flow-failed" } });
    const run = await runCli([...tc("pause", id), "--json"], env);
    expect(run.code).toBe(1);
    const c = JSON.parse(run.stdout).clusters[0];
    expect(c.error.code).toBe("OperationFailed");
    expect(c.flowId).toEqual(expect.any(Number));
    expect(c.observedState).toBe("running");
  });

  it("the deadline: exit 1, and the accepted call is reported as possibly still completing", async () => {
    emulator.setTransitionMs(60_000);
    const id = cluster("resume");
    const run = await runCli([...tc("pause", id), "--timeout", "0.5", "--json"], env);
    expect(run.code).toBe(1);
    const c = JSON.parse(run.stdout).clusters[0];
    expect(c.error.code).toBe("DeadlineExceeded");
    expect(c.error.message).toMatch(/was accepted and may still complete/);
    expect(c).toMatchObject({ observedState: "pausing", operation: "pause", reachedTarget: false });
    expect(c.flowId).toEqual(expect.any(Number));
  });

  it("Ctrl-C while waiting: stops waiting, says the call may still complete, exits 130", async () => {
    emulator.setTransitionMs(60_000);
    const id = cluster("resume");
    const started = startCli([...tc("pause", id), "--json"], env);
    await started.waitFor(/pause accepted/);
    started.child.kill("SIGINT");
    const run = await started.done;
    expect(run.code).toBe(130);
    const c = JSON.parse(run.stdout).clusters[0];
    expect(c.error.code).toBe("Interrupted");
    expect(c.error.message).toMatch(/accepted and may still complete/);
    expect(c.flowId).toEqual(expect.any(Number));
    expect(c.observedState).not.toBe("paused");
    expect(run.stderr).toMatch(/no longer waiting/);
  });

  it("a wrong key is a cloud error naming the cloud's code; the key never shows", async () => {
    const id = cluster("resume");
    const run = await runCli(tc("status", id), { ...env, TENCENTCLOUD_SECRET_KEY: "wrong-secret-key-value-123" });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("AuthFailure.SignatureFailure");
    expect(run.stdout + run.stderr).not.toContain("wrong-secret-key-value-123");
  });
});

describe("usage errors (exit 2) make no API call", () => {
  it.each([
    ["--timeout abc", [...tc("pause", "cynosdbmysql-abcdefgh"), "--timeout", "abc"], /--timeout.*positive number of seconds/],
    ["--cloud aws", ["status", "--cloud", "aws", "--cluster-id", "x"], /Allowed choices are tencentcloud, zillizcloud/],
    ["--api-version with tencentcloud", [...tc("status", "cynosdbmysql-abcdefgh"), "--api-version", "v2"], /--api-version: applies to zillizcloud only/],
    ["missing --cluster-id", tc("pause"), /--cluster-id: missing; name at least one cluster/],
    ["unknown flag", [...tc("status", "cynosdbmysql-abcdefgh"), "--force-it"], /unknown option '--force-it'/],
    ["a bad cluster id", tc("status", "cynosdbmysql-ins-abcdefgh"), /instance id; use the cluster id/],
    ["http to a remote host", [...tc("status", "cynosdbmysql-abcdefgh"), "--endpoint", "http://example.com"], /refusing to send credentials/],
  ])("%s", async (_name, args, message) => {
    const before = emulator.log.entries.length;
    const run = await runCli(args, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(emulator.log.entries.length).toBe(before);
  });

  it("missing credentials: exit 2 naming the environment variable to set", async () => {
    const before = emulator.log.entries.length;
    const run = await runCli(tc("status", "cynosdbmysql-abcdefgh"), { ...env, TENCENTCLOUD_SECRET_KEY: undefined });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/TENCENTCLOUD_SECRET_KEY: not set. Set it in the environment: export TENCENTCLOUD_SECRET_KEY=<key>/);
    expect(emulator.log.entries.length).toBe(before);
  });

  it("--help for every command exits 0", async () => {
    for (const command of ["status", "pause", "resume", "emulator"]) {
      const run = await runCli([command, "--help"], env);
      expect(run.code, command).toBe(0);
      expect(run.stdout).toContain(`Usage: cluster-power ${command}`);
    }
  });
});
