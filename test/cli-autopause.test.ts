import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerlessStrategy } from "../src/clouds/tencent/emulator";
import { DEMO_TENCENT_CREDENTIALS } from "../src/clouds/tencent/emulator";
import { DEMO_ZILLIZ_API_KEY } from "../src/clouds/zilliz/emulator";
import { startEmulator, type Emulator } from "../src/emulator/server";
import { assertBuilt, cleanEnv, runCli } from "./cli-helpers";

/**
 * `cluster-power auto-pause` and the policy column of `status`: the built command as a child
 * process against the emulator, with the request log as the witness of what was sent.
 */

let emulator: Emulator;
let env: NodeJS.ProcessEnv;
let seq = 0;

function cluster(strategy: Partial<ServerlessStrategy> = {}, extra: { dbMode?: "NORMAL" } = {}): string {
  const id = `cynosdbmysql-apz${(++seq).toString().padStart(5, "0")}`;
  emulator.part("tencentcloud").addCluster({ clusterId: id, region: "ap-guangzhou", strategy, ...extra });
  return id;
}

const tc = (command: string, ...ids: string[]) => [command, "--cloud", "tencentcloud", "--region", "ap-guangzhou", ...ids.flatMap((id) => ["--cluster-id", id])];
const modifies = (id: string) => emulator.log.find({ action: "ModifyServerlessStrategy", clusterId: id }).map((e) => JSON.parse(e.body) as Record<string, unknown>);

beforeAll(async () => {
  assertBuilt();
  emulator = await startEmulator({ transitionMs: 300, seeds: { tencentcloud: { clusters: [] } } });
  env = cleanEnv({
    TENCENTCLOUD_SECRET_ID: DEMO_TENCENT_CREDENTIALS.secretId,
    TENCENTCLOUD_SECRET_KEY: DEMO_TENCENT_CREDENTIALS.secretKey,
    CLUSTER_POWER_TENCENTCLOUD_ENDPOINT: emulator.url,
    ZILLIZCLOUD_API_KEY: DEMO_ZILLIZ_API_KEY,
    CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT: emulator.url,
  });
});

afterAll(async () => {
  await emulator?.stop();
});

describe("cluster-power status shows the auto-pause policy (tencentcloud)", () => {
  it("a column in the table, a settings object in --json; none for a provisioned cluster", async () => {
    const [on, off, normal] = [cluster(), cluster({ AutoPause: "no", AutoPauseDelay: 3600 }), cluster({}, { dbMode: "NORMAL" })];
    const run = await runCli(tc("status", on, off, normal), env);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^CLUSTER\s+STATE\s+CLOUD STATUS\s+AUTO-PAUSE\s+DETAIL$/);
    expect(lines[1]).toMatch(new RegExp(`^${on}\\s+running\\s+SERVERLESS running/resume\\s+on, after 600 s$`));
    expect(lines[2]).toMatch(new RegExp(`^${off}\\s+running\\s+SERVERLESS running/resume\\s+off \\(delay 3600 s\\)$`));
    expect(lines[3]).toMatch(new RegExp(`^${normal}\\s+running\\s+NORMAL running\\s+-\\s+.*SERVERLESS`));
    // The provisioned cluster has no policy to read.
    expect(emulator.log.count({ action: "DescribeServerlessStrategy", clusterId: normal })).toBe(0);

    const json = JSON.parse((await runCli([...tc("status", on, off, normal), "--json"], env)).stdout);
    expect(json.clusters.map((c: { settings: unknown }) => c.settings)).toEqual([{ autoPause: true, autoPauseDelaySeconds: 600 }, { autoPause: false, autoPauseDelaySeconds: 3600 }, null]);
    expect(Object.keys(json.clusters[0])).toEqual(["cloud", "clusterId", "observedState", "rawStatus", "flowId", "requestId", "detail", "settings", "elapsedMs"]);
  });

  it("a policy that cannot be read is noted in the detail; the status still succeeds", async () => {
    const id = cluster();
    emulator.faults.push({ cloud: "tencentcloud", action: "DescribeServerlessStrategy", fault: { kind: "error", code: "UnauthorizedOperation.PermissionDenied" } });
    const run = await runCli([...tc("status", id), "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    const [row] = JSON.parse(run.stdout).clusters;
    expect(row).toMatchObject({ observedState: "running", settings: null, detail: expect.stringMatching(/^auto-pause policy not read: .*\[UnauthorizedOperation.PermissionDenied\]/) });
  });

  it("zillizcloud status has no policy column", async () => {
    const run = await runCli(["status", "--cloud", "zillizcloud", "--cluster-id", "in01-3a8c1f5e2b7d9a4"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split("\n")[0]).toMatch(/^CLUSTER\s+STATE\s+CLOUD STATUS\s+DETAIL$/);
  });
});

describe("cluster-power auto-pause", () => {
  it("--disable on several clusters: one change each where it differs, the managed field only", async () => {
    const [on, off] = [cluster({ MinCpu: 1, MaxCpu: 4 }), cluster({ AutoPause: "no" })];
    const run = await runCli([...tc("auto-pause", on, off), "--disable"], env);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^CLUSTER\s+AUTO-PAUSE\s+RESULT$/);
    expect(lines[1]).toMatch(new RegExp(`^${on}\\s+off \\(delay 600 s\\)\\s+set autoPause=false \\(TaskId \\d+, RequestId [0-9a-f-]{36}\\)$`));
    expect(lines[2]).toMatch(new RegExp(`^${off}\\s+off \\(delay 600 s\\)\\s+already so; no call made$`));
    expect(modifies(on)).toEqual([{ ClusterId: on, AutoPause: "no" }]);
    expect(modifies(off)).toEqual([]);
    expect(emulator.part("tencentcloud").getStrategy(on)).toMatchObject({ AutoPause: "no", AutoPauseDelay: 600, MinCpu: 1, MaxCpu: 4 });
  });

  it("--enable --delay with --json: the document and exit 0; a repeat sends nothing", async () => {
    const id = cluster({ AutoPause: "no" });
    const run = await runCli([...tc("auto-pause", id), "--enable", "--delay", "7200", "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ command: "auto-pause", ok: true, exitCode: 0 });
    expect(doc.clusters[0]).toEqual({
      cloud: "tencentcloud",
      clusterId: id,
      settings: { autoPause: true, autoPauseDelaySeconds: 7200 },
      changed: { autoPause: true, autoPauseDelaySeconds: 7200 },
      taskId: expect.any(Number),
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      writeCalls: 1,
      elapsedMs: expect.any(Number),
    });
    expect(modifies(id)).toEqual([{ ClusterId: id, AutoPause: "yes", AutoPauseDelay: 7200 }]);
    const again = JSON.parse((await runCli([...tc("auto-pause", id), "--enable", "--delay", "7200", "--json"], env)).stdout);
    expect(again.clusters[0]).toMatchObject({ changed: {}, taskId: null, writeCalls: 0 });
    expect(modifies(id)).toHaveLength(1);
  });

  it("a cloud error is exit 1 with the cloud's code; the other clusters are still set", async () => {
    const [good, bad] = [cluster(), cluster({}, { dbMode: "NORMAL" })];
    const run = await runCli([...tc("auto-pause", good, bad), "--disable", "--json"], env);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout);
    expect(doc.clusters[0]).toMatchObject({ clusterId: good, writeCalls: 1 });
    expect(doc.clusters[1]).toMatchObject({ clusterId: bad, settings: null, changed: null, error: { code: "InvalidParameterValue.DbModeNotServerlessError" } });
    const human = await runCli([...tc("auto-pause", bad), "--disable"], env);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/FAILED: .*\[InvalidParameterValue.DbModeNotServerlessError\]/);
    expect(human.stderr).toContain("1 of 1 cluster(s) failed");
  });

  it("usage errors exit 2 before any call: another cloud, a contradiction, a missing choice, a delay out of range", async () => {
    const id = cluster();
    const before = emulator.log.count();
    const zilliz = await runCli(["auto-pause", "--cloud", "zillizcloud", "--cluster-id", "in01-3a8c1f5e2b7d9a4", "--disable"], env);
    expect(zilliz.code).toBe(2);
    expect(zilliz.stderr).toMatch(/--cloud: auto-pause applies to tencentcloud only; zillizcloud has no such setting/);
    for (const [flags, message] of [
      [["--enable", "--disable"], /--enable: and --disable contradict each other/],
      [[], /--enable: or --disable is required/],
      [["--enable", "--delay", "599"], /--delay: must be at least 600/],
      [["--disable", "--delay", "ten"], /--delay: must be a number of seconds/],
    ] as const) {
      const run = await runCli([...tc("auto-pause", id), ...flags], env);
      expect(run.code, flags.join(" ")).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain('(run "cluster-power auto-pause --help" for usage)');
      expect(run.stdout).toBe("");
    }
    expect(emulator.log.count()).toBe(before);
  });

  it("--help names the flags and the clouds it applies to", async () => {
    const run = await runCli(["auto-pause", "--help"], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/tencentcloud only/);
    for (const flag of ["--enable", "--disable", "--delay <seconds>", "--cluster-id <id>", "--json"]) expect(run.stdout).toContain(flag);
  });
});
