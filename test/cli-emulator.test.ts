import { mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, cleanEnv, runCli, startCli } from "./cli-helpers";

/**
 * `cluster-power emulator` as a user runs it: start it, paste the printed exports, use the other
 * commands against it, stop it with SIGTERM.
 */

beforeAll(() => assertBuilt());

/** The `export A=1 B=2` lines of the banner, as an environment. */
function exportsOf(banner: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of banner.split("\n").filter((l) => l.startsWith("export "))) {
    for (const pair of line.slice("export ".length).trim().split(/\s+/)) {
      const [name, ...value] = pair.split("=");
      env[name] = value.join("=");
    }
  }
  return env;
}

describe("cluster-power emulator", () => {
  it("prints its endpoint, paste-able credentials and clusters; they work; SIGTERM stops it cleanly", async () => {
    const emulator = startCli(["emulator", "--port", "0", "--transition-ms", "200"], cleanEnv({}));
    const [, url] = await emulator.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    await emulator.waitFor(/Press Ctrl-C to stop/);
    const banner = emulator.stdout();
    expect(banner).toMatch(/tencentcloud\s+cynosdbmysql-8vcxoq75\s+ap-guangzhou\s+resume/);
    expect(banner).toMatch(/zillizcloud\s+in01-3a8c1f5e2b7d9a4\s+aws-us-west-2\s+RUNNING/);

    const exported = exportsOf(banner);
    expect(exported).toMatchObject({ CLUSTER_POWER_TENCENTCLOUD_ENDPOINT: url, CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT: url, TENCENTCLOUD_REGION: "ap-guangzhou" });
    const env = cleanEnv({ ...exported, CLUSTER_POWER_TIME_SCALE: "0.05" });

    const pause = await runCli(["pause", "--cloud", "tencentcloud", "--cluster-id", "cynosdbmysql-8vcxoq75", "--json"], env);
    expect(pause.code, pause.stderr).toBe(0);
    expect(JSON.parse(pause.stdout).clusters[0]).toMatchObject({ observedState: "paused", reachedTarget: true });
    const status = await runCli(["status", "--cloud", "zillizcloud", "--cluster-id", "in01-3a8c1f5e2b7d9a4"], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/in01-3a8c1f5e2b7d9a4\s+running\s+RUNNING/);

    emulator.child.kill("SIGTERM");
    const done = await emulator.done;
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/emulator stopped\n$/);
    // And the port is really closed.
    const port = Number(new URL(url).port);
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve("connected");
      });
      socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    });
    expect(refused).toBe("ECONNREFUSED");
  });

  it("--seed FILE: its clusters and keys replace the demo ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cluster-power-seed-"));
    const file = join(dir, "seed.json");
    writeFileSync(
      file,
      JSON.stringify({
        tencentcloud: { keys: [{ secretId: "AKIDmyOwnKey000000000000000000000", secretKey: "my-own-secret" }], clusters: [{ clusterId: "cynosdbmysql-seeded01", region: "ap-shanghai", serverlessStatus: "pause" }] },
        zillizcloud: { apiKeys: ["my-own-zilliz-key"], clusters: [{ clusterId: "in01-seeded0000001", regionId: "gcp-us-west1", plan: "Enterprise", status: "STOPPED" }] },
      }),
    );
    const emulator = startCli(["emulator", "--seed", file], cleanEnv({}));
    await emulator.waitFor(/Press Ctrl-C to stop/);
    const banner = emulator.stdout();
    expect(banner).toMatch(/cynosdbmysql-seeded01\s+ap-shanghai\s+pause/);
    expect(banner).toMatch(/in01-seeded0000001\s+gcp-us-west1\s+STOPPED/);
    expect(banner).not.toContain("cynosdbmysql-8vcxoq75");
    const exported = exportsOf(banner);
    expect(exported).toMatchObject({ TENCENTCLOUD_SECRET_ID: "AKIDmyOwnKey000000000000000000000", ZILLIZCLOUD_API_KEY: "my-own-zilliz-key", TENCENTCLOUD_REGION: "ap-shanghai" });

    const status = await runCli(["status", "--cloud", "tencentcloud", "--cluster-id", "cynosdbmysql-seeded01"], cleanEnv(exported));
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/cynosdbmysql-seeded01\s+paused/);

    emulator.child.kill("SIGINT");
    expect((await emulator.done).code).toBe(0);
  });

  it("a port already in use is an error (exit 1) that says so", async () => {
    const first = startCli(["emulator", "--port", "0"], cleanEnv({}));
    const [, port] = await first.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    const second = await runCli(["emulator", "--port", port], cleanEnv({}));
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`could not start the emulator on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    first.child.kill("SIGTERM");
    expect((await first.done).code).toBe(0);
  });

  it("a bad seed is a usage error naming the field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cluster-power-seed-"));
    const cases: Array<[string, string, RegExp]> = [
      ["plan.json", JSON.stringify({ zillizcloud: { clusters: [{ clusterId: "in01-x", regionId: "aws-us-west-2", plan: "Gold" }] } }), /zillizcloud\.clusters\.0\.plan/],
      ["typo.json", JSON.stringify({ tencentcloud: { clusters: [{ clusterID: "cynosdbmysql-x" }] } }), /tencentcloud\.clusters\.0.*clusterI[Dd]/],
      ["cloud.json", JSON.stringify({ aws: {} }), /aws/],
      ["broken.json", "{ not json", /not valid JSON/],
    ];
    for (const [name, text, message] of cases) {
      writeFileSync(join(dir, name), text);
      const run = await runCli(["emulator", "--seed", join(dir, name)], cleanEnv({}));
      expect(run.code, name).toBe(2);
      expect(run.stderr, name).toMatch(message);
      expect(run.stderr).toMatch(/^error: --seed: /);
    }
    const missing = await runCli(["emulator", "--seed", join(dir, "nope.json")], cleanEnv({}));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json: ENOENT/);
  });
});
