import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENCENT_CREDENTIALS } from "../src/clouds/tencent/emulator";
import { DEMO_ZILLIZ_API_KEY } from "../src/clouds/zilliz/emulator";
import { startEmulator, type Emulator } from "../src/emulator/server";
import { assertBuilt, cleanEnv, runCli, startCli } from "./cli-helpers";

/**
 * `cluster-power list`, the built command: what findClusters would select, as a table or one
 * JSON document, with the exit codes and the stdout/stderr split of `status`. The clusters come
 * from a seed file read by `cluster-power emulator --seed`, so the seed's tags and labels are
 * checked on the way in too.
 */

const seed = {
  tencentcloud: {
    clusters: [
      { clusterId: "cynosdbmysql-cli00001", region: "ap-guangzhou", name: "dev-orders", tags: { env: "dev", team: "a" } },
      { clusterId: "cynosdbmysql-cli00002", region: "ap-guangzhou", name: "dev-billing", tags: { env: "dev", "cluster-power": "off" } },
      { clusterId: "cynosdbmysql-cli00003", region: "ap-guangzhou", name: "prod-orders", tags: { env: "prod" } },
      { clusterId: "cynosdbmysql-cli00004", region: "ap-guangzhou", name: "dev-ledger", dbMode: "NORMAL", tags: { env: "dev" } },
      { clusterId: "cynosdbmysql-cli00005", region: "ap-guangzhou", name: "dev-untagged" },
    ],
  },
  zillizcloud: {
    clusters: [
      { clusterId: "in01-cli00001", regionId: "aws-us-west-2", plan: "Standard", clusterName: "dev-search", labels: { env: "dev" }, projectId: "proj-a" },
      { clusterId: "in03-cli00002", regionId: "aws-us-west-2", plan: "Free", clusterName: "dev-free", labels: { env: "dev" } },
      { clusterId: "in01-cli00003", regionId: "gcp-us-west1", plan: "Standard", clusterName: "dev-recs", labels: { env: "dev" }, projectId: "proj-b" },
    ],
  },
};

let url: string;
let stopEmulator: () => Promise<void>;
let emulator: Emulator;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  assertBuilt();
  const dir = mkdtempSync(join(tmpdir(), "cluster-power-list-"));
  const file = join(dir, "seed.json");
  writeFileSync(file, JSON.stringify(seed));
  // The seed goes through the CLI's own --seed reading: tags and labels must survive its schema.
  const child = startCli(["emulator", "--port", "0", "--seed", file], cleanEnv({}));
  const [, found] = await child.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
  url = found;
  stopEmulator = async () => {
    child.child.kill("SIGINT");
    await child.done;
  };
  // A second, in-process emulator for fault injection.
  emulator = await startEmulator({ seeds: seed });
  env = cleanEnv({
    TENCENTCLOUD_SECRET_ID: DEMO_TENCENT_CREDENTIALS.secretId,
    TENCENTCLOUD_SECRET_KEY: DEMO_TENCENT_CREDENTIALS.secretKey,
    CLUSTER_POWER_TENCENTCLOUD_ENDPOINT: url,
    ZILLIZCLOUD_API_KEY: DEMO_ZILLIZ_API_KEY,
    CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT: url,
  });
}, 30_000);

afterAll(async () => {
  await stopEmulator?.();
  await emulator?.stop();
});

describe("cluster-power list", () => {
  it("prints the selected clusters as a table; opted-out, untagged and ineligible ones are left out", async () => {
    const run = await runCli(["list", "--cloud", "tencentcloud", "--region", "ap-guangzhou", "--tag", "env=dev"], env);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^CLUSTER\s+NAME\s+REGION\s+STATE\s+CLOUD STATUS\s+TAGS$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["cynosdbmysql-cli00001"]);
    expect(lines[1]).toMatch(/dev-orders\s+ap-guangzhou\s+running\s+SERVERLESS running\/resume\s+env=dev,team=a/);
    expect(run.stderr).toBe("");

    const all = await runCli(["list", "--cloud", "tencentcloud", "--region", "ap-guangzhou", "--tag", "env=dev", "--all"], env);
    expect(all.stdout).toMatch(/cynosdbmysql-cli00004 .*cannot be paused: cluster is a NORMAL \(provisioned\)/);
    expect(all.stdout).not.toMatch(/cli00002/);

    const none = await runCli(["list", "--cloud", "tencentcloud", "--region", "ap-guangzhou", "--tag", "env=qa"], env);
    expect([none.code, none.stdout.trim().split("\n").length]).toEqual([0, 1]);
    expect(none.stderr).toMatch(/no cluster matches/);
  });

  it("prints one JSON document with --json, the same records findClusters returns", async () => {
    const run = await runCli(["list", "--cloud", "zillizcloud", "--label", "env=dev", "--all", "--json"], env);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { command: string; ok: boolean; exitCode: number; clusters: Array<Record<string, unknown>> };
    expect(doc).toMatchObject({ command: "list", ok: true, exitCode: 0 });
    expect(doc.clusters.map((c) => [c.clusterId, c.eligible])).toEqual([
      ["in01-cli00001", true],
      ["in01-cli00003", true],
      ["in03-cli00002", false],
    ]);
    expect(doc.clusters[0]).toEqual({
      cloud: "zillizcloud",
      clusterId: "in01-cli00001",
      name: "dev-search",
      region: "aws-us-west-2",
      labels: { env: "dev" },
      projectId: "proj-a",
      observedState: "running",
      rawStatus: "RUNNING",
      eligible: true,
    });

    const scoped = await runCli(["list", "--cloud", "zillizcloud", "--label", "env=dev", "--region", "gcp-us-west1", "--project-id", "proj-b", "--json"], env);
    expect((JSON.parse(scoped.stdout) as { clusters: Array<{ clusterId: string }> }).clusters.map((c) => c.clusterId)).toEqual(["in01-cli00003"]);
  });

  it("usage errors exit 2 before any call", async () => {
    const local = { ...env, CLUSTER_POWER_TENCENTCLOUD_ENDPOINT: emulator.url, CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT: emulator.url };
    const calls = emulator.log.count();
    for (const [args, message] of [
      [["list", "--cloud", "zillizcloud", "--tag", "env=dev"], /--tag: zillizcloud clusters carry labels; use --label key=value/],
      [["list", "--cloud", "tencentcloud", "--tag", "env=dev"], /--region: required for tencentcloud/],
      [["list", "--cloud", "tencentcloud", "--region", "ap-guangzhou", "--tag", "env"], /--tag: "env" is not key=value/],
      [["list", "--cloud", "tencentcloud", "--region", "ap-guangzhou", "--api-version", "v2"], /--api-version: applies to zillizcloud only/],
      [["list", "--tag", "env=dev"], /--cloud: missing/],
    ] as const) {
      const run = await runCli([...args], local);
      expect([run.code, run.stdout], args.join(" ")).toEqual([2, ""]);
      expect(run.stderr).toMatch(message);
    }
    const noKey = await runCli(["list", "--cloud", "zillizcloud"], cleanEnv({ CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT: emulator.url }));
    expect([noKey.code, noKey.stderr]).toEqual([2, expect.stringMatching(/ZILLIZCLOUD_API_KEY: not set/)]);
    expect(emulator.log.count()).toBe(calls);
  });

  it("a cloud error exits 1 with the cloud's code and RequestId, and no partial list", async () => {
    const faulty = { ...env, CLUSTER_POWER_TENCENTCLOUD_ENDPOINT: emulator.url };
    emulator.faults.push({ cloud: "tencentcloud", action: "DescribeClusters", fault: { kind: "error", code: "UnauthorizedOperation.PermissionDenied", message: "CAM denied" } });
    const run = await runCli(["list", "--cloud", "tencentcloud", "--region", "ap-guangzhou", "--json"], faulty);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      command: "list",
      ok: false,
      exitCode: 1,
      clusters: [],
      error: { code: "UnauthorizedOperation.PermissionDenied", message: expect.stringMatching(/CAM denied.*RequestId/), requestId: expect.any(String) },
    });
    emulator.faults.push({ cloud: "tencentcloud", action: "DescribeClusters", fault: { kind: "error", code: "UnauthorizedOperation.PermissionDenied", message: "CAM denied" } });
    const table = await runCli(["list", "--cloud", "tencentcloud", "--region", "ap-guangzhou"], faulty);
    expect([table.code, table.stdout]).toEqual([1, ""]);
    expect(table.stderr).toMatch(/^error: tencentcloud DescribeClusters failed: \[UnauthorizedOperation\.PermissionDenied\] CAM denied/);
  });
});
