import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_TIMEOUT_SECONDS as CORE_MAX_TIMEOUT } from "../src/core/deadline";
import { checkInputs, MAX_TIMEOUT_SECONDS } from "../src/provider/schema";
import { createTencentDriver } from "../src/clouds/tencent";
import { createZillizDriver } from "../src/clouds/zilliz";
import { SlidingWindowLimiter } from "../src/core/rate-limit";
import { assertBuilt, cleanEnv, startCli, type CliRun } from "./cli-helpers";
import { Recorder } from "./reliability/record";
import {
  CANARY,
  Engine,
  findCanaries,
  requestLogText,
  resource,
  shim,
  startCanaryEmulator,
  startCanaryHost,
  TENCENT,
  ZILLIZ,
  type CloudKit,
  type Emulator,
  type RunningHost,
} from "./reliability/fixtures";

/**
 * What an adversarial probe broke (issue 17), one class per `describe`: closed output channels,
 * hung requests against the deadline and signals, ambiguous not-found answers, concurrent
 * operators on one account, argument validation before any call, numeric bounds, redaction at
 * every offset, broken paging, and the summary's word about calls made. Everything goes through
 * the built CLI as a child process or the real provider host, against the emulator or against
 * hand-made misbehaving servers on loopback. Every class has cases that failed on the code before
 * its fix; the others guard the other side (a cluster really gone still leaves the stack, the
 * largest timeout still works). The rules are in docs/reliability.md.
 */

const recorder = new Recorder("probe", "Adversarial probe (closed outputs, hung calls, not-found answers, concurrent operators, argument checks, bounds, redaction, paging)");
const texts: Record<string, string> = {};
let emulator: Emulator;

type ProbeClass =
  | "closed output channels"
  | "hung requests vs deadline and signals"
  | "ambiguous not-found answers"
  | "concurrent operators on one account"
  | "argument validation before any call"
  | "numeric bounds"
  | "redaction at every offset"
  | "broken paging"
  | "what the summary claims";

function record(probeClass: ProbeClass, name: string, outcome: string, extra: { cloud?: "tencentcloud" | "zillizcloud"; count?: number; writeCalls?: number } = {}): void {
  recorder.add({ kind: "probe", operation: probeClass, name, outcome, ...extra });
}

const TIME_SCALE = "0.05";

function envFor(kit: CloudKit, url = emulator.url, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return kit.cloud === "tencentcloud"
    ? cleanEnv({ TENCENTCLOUD_SECRET_ID: CANARY.tencentSecretId, TENCENTCLOUD_SECRET_KEY: CANARY.tencentSecretKey, CLUSTER_POWER_TENCENTCLOUD_ENDPOINT: url, CLUSTER_POWER_TIME_SCALE: TIME_SCALE, ...extra })
    : cleanEnv({ ZILLIZCLOUD_API_KEY: CANARY.zillizApiKey, CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT: url, CLUSTER_POWER_TIME_SCALE: TIME_SCALE, ...extra });
}

function argv(command: string, kit: CloudKit, ids: string[], ...rest: string[]): string[] {
  const region = kit.cloud === "tencentcloud" ? ["--region", "ap-guangzhou"] : [];
  return [command, "--cloud", kit.cloud, ...region, ...ids.flatMap((id) => ["--cluster-id", id]), ...rest];
}

interface TimedRun extends CliRun {
  ms: number;
  /** The run outlived `limitMs` and was killed. */
  killed: boolean;
}

/** Runs the CLI; a run still alive after `limitMs` is SIGKILLed and reported as such. */
async function runWithin(args: string[], env: NodeJS.ProcessEnv, limitMs: number, during?: (started: ReturnType<typeof startCli>) => Promise<void>): Promise<TimedRun> {
  const started = performance.now();
  const run = startCli(args, env);
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    run.child.kill("SIGKILL");
  }, limitMs);
  if (during) await during(run).catch(() => undefined);
  const done = await run.done;
  clearTimeout(timer);
  const result = { ...done, ms: performance.now() - started, killed };
  texts[`cli ${args.slice(0, 3).join(" ")} ${Object.keys(texts).length}`] = result.stdout + result.stderr;
  return result;
}

const json = (run: CliRun) => JSON.parse(run.stdout) as { exitCode: number; clusters: Array<Record<string, unknown> & { error?: { code: string; message: string } }> };
const writesTo = (kit: CloudKit, ids: string[]) => ids.reduce((n, id) => n + emulator.log.count({ cloud: kit.cloud, clusterId: id, action: kit.writeActions, outcome: "ok" }), 0);
const seed = (kit: CloudKit, n: number, state: "running" | "paused" = "running") => Array.from({ length: n }, () => kit.newCluster(emulator, state));

// ---- hand-made servers ------------------------------------------------------------------------

async function handServer(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const reply = (res: ServerResponse, status: number, body: unknown, contentType = "application/json") => {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  res.end(text);
};

beforeAll(async () => {
  assertBuilt();
  emulator = await startCanaryEmulator({ transitionMs: 300 });
});

afterAll(async () => {
  await emulator?.stop();
  texts["emulator request log"] = requestLogText(emulator);
  const found = findCanaries(texts);
  recorder.scanned(Object.keys(texts).length, found);
  recorder.save();
  expect(found).toEqual([]);
});

// ---- 1 ----------------------------------------------------------------------------------------

describe("closed output channels", () => {
  it.each([TENCENT, ZILLIZ])("$cloud: pause with stderr closed from the start still pauses every cluster", async (kit) => {
    const ids = seed(kit, 30);
    const run = startCli(argv("pause", kit, ids), envFor(kit));
    run.child.stderr!.destroy();
    const done = await run.done;
    expect(done.code, done.stdout).toBe(0);
    expect(ids.map((id) => kit.live(emulator, id))).toEqual(ids.map(() => "paused"));
    expect(writesTo(kit, ids)).toBe(ids.length);
    record("closed output channels", "stderr closed before the first progress line", `all ${ids.length} paused, exit 0`, { cloud: kit.cloud, count: ids.length });
  });

  it.each([TENCENT, ZILLIZ])("$cloud: `pause ... 2>&1 | head -1`: both channels close after one line; the work is done and the exit code tells how", async (kit) => {
    const ids = seed(kit, 30);
    const missing = kit.cloud === "tencentcloud" ? "cynosdbmysql-gone0001" : "in01-gone00000000001";
    const run = startCli(argv("pause", kit, [...ids, missing]), envFor(kit));
    await run.waitFor(/\n/);
    run.child.stdout!.destroy();
    run.child.stderr!.destroy();
    const done = await run.done;
    // One cluster does not exist: that failure must still show in the exit code.
    expect(done.code).toBe(1);
    expect(ids.map((id) => kit.live(emulator, id))).toEqual(ids.map(() => "paused"));
    expect(writesTo(kit, ids)).toBe(ids.length);
    record("closed output channels", "stdout and stderr closed after the first line (| head -1)", `all ${ids.length} paused; exit 1 for the one missing cluster`, { cloud: kit.cloud, count: ids.length + 1 });
  });
});

// ---- 2 ----------------------------------------------------------------------------------------

describe("hung requests vs deadline and signals", () => {
  const hangReads = (kit: CloudKit, ids: string[]) => {
    const actions = kit.cloud === "tencentcloud" ? ["DescribeClusterDetail", "DescribeClusters"] : ["describe", "list"];
    for (const action of actions) {
      for (const id of ids) emulator.faults.push({ cloud: kit.cloud, action, clusterId: id, fault: { kind: "hang" }, times: 50 });
      // List calls name no single cluster.
      if (action === "DescribeClusters" || action === "list") emulator.faults.push({ cloud: kit.cloud, action, fault: { kind: "hang" }, times: 50 });
    }
  };

  it.each([TENCENT, ZILLIZ])("$cloud: pause --timeout 3 against a cloud that never answers ends at the deadline, not minutes later", async (kit) => {
    const ids = seed(kit, 2);
    hangReads(kit, ids);
    const run = await runWithin(argv("pause", kit, ids, "--timeout", "3", "--json"), envFor(kit), 30_000);
    emulator.faults.clear();
    // Before the fix the hung call ran into its 60 s request timeout, then four more attempts.
    expect(run.killed, `still running after 30 s; stderr: ${run.stderr}`).toBe(false);
    // The 3 s deadline plus process start-up on a busy machine.
    expect(run.ms).toBeLessThan(15_000);
    expect(run.code).toBe(1);
    expect(json(run).clusters.map((c) => c.error?.code)).toEqual(["DeadlineExceeded", "DeadlineExceeded"]);
    record("hung requests vs deadline and signals", "pause --timeout 3, every read hangs", `exit 1 (DeadlineExceeded) after ${(run.ms / 1000).toFixed(1)} s`, { cloud: kit.cloud, count: ids.length });
  });

  it.each([TENCENT, ZILLIZ])("$cloud: status --timeout 2 against a hung cloud ends at its deadline", async (kit) => {
    const ids = seed(kit, 1);
    hangReads(kit, ids);
    const run = await runWithin(argv("status", kit, ids, "--timeout", "2", "--json"), envFor(kit), 30_000);
    emulator.faults.clear();
    expect(run.killed).toBe(false);
    expect(run.ms).toBeLessThan(15_000);
    expect(run.code, run.stderr).toBe(1);
    expect(json(run).clusters[0].error?.code).toBe("DeadlineExceeded");
    record("hung requests vs deadline and signals", "status --timeout 2, the read hangs", `exit 1 (DeadlineExceeded) after ${(run.ms / 1000).toFixed(1)} s`, { cloud: kit.cloud, count: 1 });
  });

  it.each([
    { kit: TENCENT, command: "pause", signal: "SIGINT" as const, code: 130 },
    { kit: ZILLIZ, command: "pause", signal: "SIGTERM" as const, code: 130 },
    { kit: TENCENT, command: "status", signal: "SIGTERM" as const, code: 130 },
  ])("$kit.cloud: $signal while $command waits on a hung request ends the process at once", async ({ kit, command, signal, code }) => {
    const ids = seed(kit, 1);
    hangReads(kit, ids);
    let signalledAt = 0;
    const run = await runWithin(argv(command, kit, ids), envFor(kit), 40_000, async (started) => {
      const until = Date.now() + 10_000;
      while (Date.now() < until && emulator.log.count({ cloud: kit.cloud, clusterId: ids[0], outcome: "hang" }) === 0) await new Promise((r) => setTimeout(r, 20));
      signalledAt = performance.now();
      started.child.kill(signal);
    });
    emulator.faults.clear();
    expect(run.killed, `still alive after the ${signal}; stderr: ${run.stderr}`).toBe(false);
    expect(run.code).toBe(code);
    const afterSignal = performance.now() - signalledAt;
    // Before the fix the hung call kept the process alive for its 60 s request timeout and more.
    expect(afterSignal).toBeLessThan(10_000);
    record("hung requests vs deadline and signals", `${signal} during ${command} while a read hangs`, `exit ${code} ${Math.round(afterSignal)} ms after the signal`, { cloud: kit.cloud, count: 1 });
  });
});

// ---- 3 ----------------------------------------------------------------------------------------

describe("ambiguous not-found answers (refresh through the real host)", () => {
  let host: RunningHost;
  let engine: Engine;
  let providerText: string;

  beforeAll(async () => {
    host = await startCanaryHost(emulator);
    engine = new Engine(host.host);
    providerText = await shim();
  });
  afterAll(async () => {
    await host?.kill();
  });

  interface Case {
    name: string;
    kit: CloudKit;
    v1?: boolean;
    act: (clusterId: string) => void;
    gone: boolean;
  }
  const describeAction = (kit: CloudKit) => kit.describeAction;
  const cases: Case[] = [
    { name: "Zilliz v2: a gateway's HTML 404", kit: ZILLIZ, gone: false, act: (id) => emulator.faults.push({ cloud: "zillizcloud", action: "describe", clusterId: id, fault: { kind: "http", status: 404, body: "<html><body><h1>404 Not Found</h1>nginx</body></html>" } }) },
    { name: 'Zilliz v2: JSON {"code":404,"message":"path not found"} under HTTP 404', kit: ZILLIZ, gone: false, act: (id) => emulator.faults.push({ cloud: "zillizcloud", action: "describe", clusterId: id, fault: { kind: "error", code: "404", httpStatus: 404, message: "path not found" } }) },
    { name: "Zilliz v1: 80020 for a cluster that exists (a permission problem)", kit: ZILLIZ, v1: true, gone: false, act: (id) => emulator.faults.push({ cloud: "zillizcloud", action: "describe", clusterId: id, fault: { kind: "error", code: "80020" } }) },
    { name: "Zilliz v1: 90102 (the cluster is in another region)", kit: ZILLIZ, v1: true, gone: false, act: (id) => emulator.faults.push({ cloud: "zillizcloud", action: "describe", clusterId: id, fault: { kind: "error", code: "90102" } }) },
    { name: "Tencent: a gateway's HTML 404", kit: TENCENT, gone: false, act: (id) => emulator.faults.push({ cloud: "tencentcloud", action: describeAction(TENCENT), clusterId: id, fault: { kind: "http", status: 404 } }) },
    { name: "Zilliz v2: cluster deleted (96018)", kit: ZILLIZ, gone: true, act: (id) => ZILLIZ.remove(emulator, id) },
    { name: "Zilliz v1: cluster deleted (80020, and the list no longer has it)", kit: ZILLIZ, v1: true, gone: true, act: (id) => ZILLIZ.remove(emulator, id) },
    { name: "Tencent: cluster deleted (ResourceNotFound.ClusterNotFoundError)", kit: TENCENT, gone: true, act: (id) => TENCENT.remove(emulator, id) },
  ];

  it.each(cases)("$name: refresh says gone = $gone", async ({ name, kit, v1, act, gone }) => {
    const clusterId = kit.newCluster(emulator, "paused");
    const inputs = { ...kit.inputs(clusterId), powerState: "paused", ...(v1 && { apiVersion: "v1" }) };
    const res = resource(`probe-${clusterId}`, inputs, providerText);
    const [created] = await engine.up([res]);
    expect(created.error, JSON.stringify(created.error)).toBeUndefined();
    act(clusterId);
    const steps = await engine.refresh();
    const step = steps.find((s) => s.urn === res.urn)!;
    texts[`refresh ${name}`] = JSON.stringify(step);
    if (gone) {
      expect(step.gone).toBe(true);
      expect(engine.state.has(res.urn)).toBe(false);
    } else {
      // The answer proves nothing about the cluster: an error, and the state stays as it was.
      expect(step.gone).toBeFalsy();
      expect(step.error).toBeDefined();
      expect(engine.state.has(res.urn)).toBe(true);
      // A plain `up` afterwards (refresh: always) keeps the resource too.
      emulator.faults.clear();
      const [again] = await engine.up([res]);
      expect(again.error).toBeUndefined();
      expect(engine.state.has(res.urn)).toBe(true);
    }
    record("ambiguous not-found answers", name, gone ? "resource left the stack (cluster really gone)" : "refresh failed clearly, resource kept", { cloud: kit.cloud, count: 1 });
  });
});

// ---- 4 ----------------------------------------------------------------------------------------

describe("concurrent operators on one account", () => {
  it.each([
    { kit: TENCENT, operators: 4, clusters: 100 },
    { kit: ZILLIZ, operators: 4, clusters: 50 },
  ])("$kit.cloud: $operators operators x $clusters clusters at once on one account converge with zero failures", async ({ kit, operators, clusters }) => {
    const groups = Array.from({ length: operators }, () => seed(kit, clusters));
    const refusedBefore = emulator.log.count({ cloud: kit.cloud, outcome: kit.cloud === "tencentcloud" ? "RequestLimitExceeded" : "RateLimited" });
    const started = performance.now();
    const runs = await Promise.all(groups.map((ids) => runWithin(argv("pause", kit, ids, "--json"), envFor(kit), 170_000)));
    const seconds = (performance.now() - started) / 1000;
    const refused = emulator.log.count({ cloud: kit.cloud, outcome: kit.cloud === "tencentcloud" ? "RequestLimitExceeded" : "RateLimited" }) - refusedBefore;
    for (const run of runs) {
      expect(run.killed).toBe(false);
      const failures = json(run).clusters.filter((c) => c.error);
      expect(failures.map((c) => `${c.clusterId}: ${c.error?.code} ${c.error?.message}`)).toEqual([]);
      expect(run.code).toBe(0);
    }
    const all = groups.flat();
    expect(all.filter((id) => kit.live(emulator, id) !== "paused")).toEqual([]);
    // Exactly one accepted pause per cluster: refusals were retried, nothing was sent twice.
    expect(writesTo(kit, all)).toBe(all.length);
    // The account's quota was really contended: the cloud turned requests away.
    expect(refused).toBeGreaterThan(0);
    recorder.figure(`${kit.cloud}: ${operators} operators x ${clusters} clusters, seconds`, Number(seconds.toFixed(1)));
    recorder.figure(`${kit.cloud}: ${operators} operators x ${clusters} clusters, refusals retried`, refused);
    record("concurrent operators on one account", `${operators} CLI processes x ${clusters} clusters, one key`, `${all.length}/${all.length} paused, 0 failures, ${refused} rate-limit refusals retried, ${seconds.toFixed(1)} s`, {
      cloud: kit.cloud,
      count: all.length,
      writeCalls: all.length,
    });
  }, 180_000);

  it("Retry-After is honoured: the retry waits as long as the cloud asked", async () => {
    const times: number[] = [];
    const server = await handServer((req, _body, res) => {
      times.push(performance.now());
      if (times.length === 1) {
        res.setHeader("retry-after", "2");
        return reply(res, 429, { code: 429, message: "Too many requests" });
      }
      return reply(res, 200, { code: 0, data: { clusterId: "in01-retryafter00001", status: "RUNNING", plan: "Standard" } });
    });
    try {
      const run = await runWithin(["status", "--cloud", "zillizcloud", "--cluster-id", "in01-retryafter00001"], envFor(ZILLIZ, server.url), 20_000);
      expect(run.code, run.stderr).toBe(0);
      expect(times).toHaveLength(2);
      expect(times[1] - times[0]).toBeGreaterThanOrEqual(1900);
      // The wait shows as a progress line on stderr.
      expect(run.stderr).toMatch(/in01-retryafter00001: describe refused \[429\]; retry 1 in 2\.0s/);
      record("concurrent operators on one account", "HTTP 429 with Retry-After: 2", `retried after ${Math.round(times[1] - times[0])} ms, progress line shown`, { cloud: "zillizcloud", count: 1 });
    } finally {
      await server.close();
    }
  });
});

// ---- 5 ----------------------------------------------------------------------------------------

describe("argument validation before any call", () => {
  it.each([
    { kit: TENCENT, typo: "cynosdbmysq-8vcxoq75" },
    { kit: ZILLIZ, typo: "in01_108240180a4faf8" },
  ])("$kit.cloud: a typo in one --cluster-id stops the whole run before any call (exit 2)", async ({ kit, typo }) => {
    const [good] = seed(kit, 1);
    const before = emulator.log.entries.length;
    const run = await runWithin(argv("pause", kit, [good, typo]), envFor(kit), 20_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(typo);
    expect(emulator.log.entries.length - before).toBe(0);
    expect(kit.live(emulator, good)).toBe("running");
    record("argument validation before any call", "one good and one mistyped --cluster-id", "exit 2, 0 API calls, the good cluster untouched", { cloud: kit.cloud, count: 2 });
  });

  it("a 100,000-character id is refused without being echoed whole", async () => {
    const huge = `cynosdbmysql-${"a".repeat(100_000)}`;
    const before = emulator.log.entries.length;
    const run = await runWithin(argv("status", TENCENT, [huge]), envFor(TENCENT), 20_000);
    expect(run.code).toBe(2);
    expect(run.stderr.length).toBeLessThan(2000);
    expect(run.stderr).toMatch(/100013 characters/);
    expect(emulator.log.entries.length - before).toBe(0);
    record("argument validation before any call", "a 100,000-character cluster id", `exit 2, ${run.stderr.length} characters of error text`, { cloud: "tencentcloud", count: 1 });
  });

  it.each([
    { name: "SecretKey wrapped in literal quotes", env: { TENCENTCLOUD_SECRET_KEY: `"${CANARY.tencentSecretKey}"` }, hint: /TENCENTCLOUD_SECRET_KEY: .*quote characters/ },
    { name: "SecretId with a zero-width space", env: { TENCENTCLOUD_SECRET_ID: `${CANARY.tencentSecretId}\u200b` }, hint: /TENCENTCLOUD_SECRET_ID: .*invisible or non-ASCII/ },
    { name: "a misspelled variable name", env: { TENCENTCLOUD_SECRET_KEY: undefined, TENCENTCLOUD_SECRETKEY: CANARY.tencentSecretKey }, hint: /TENCENTCLOUD_SECRETKEY is set: did you mean TENCENTCLOUD_SECRET_KEY\?/ },
    { name: "an endpoint without a scheme", env: { CLUSTER_POWER_TENCENTCLOUD_ENDPOINT: "EMULATOR_HOST" }, hint: /has no scheme; write http:\/\/127\.0\.0\.1:\d+ for a local emulator/ },
  ])("$name: exit 2 with a hint, before any call", async ({ name, env: given, hint }) => {
    const env: Record<string, string | undefined> = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, v === "EMULATOR_HOST" ? emulator.url.replace("http://", "") : v]));
    const [id] = seed(TENCENT, 1);
    const before = emulator.log.entries.length;
    const base = envFor(TENCENT);
    const merged = { ...base, ...env };
    for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
    const run = await runWithin(argv("status", TENCENT, [id]), merged as NodeJS.ProcessEnv, 20_000);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(hint);
    expect(run.stderr).not.toMatch(/NetworkError|SSL routines/);
    expect(emulator.log.entries.length - before).toBe(0);
    record("argument validation before any call", name, "exit 2 with a hint, 0 API calls", { cloud: "tencentcloud", count: 1 });
  });

  it("https:// to a plain-http endpoint: one line that says what to do, not an OpenSSL dump", async () => {
    const [id] = seed(TENCENT, 1);
    const run = await runWithin(argv("status", TENCENT, [id]), envFor(TENCENT, emulator.url.replace("http://", "https://")), 30_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/does not speak TLS there\. If it is a local emulator, use http:\/\/127\.0\.0\.1:\d+/);
    expect(run.stdout + run.stderr).not.toMatch(/SSL routines|0A00010B/);
    record("argument validation before any call", "https:// to a plain-http emulator", "exit 1 with a one-line hint, no OpenSSL text", { cloud: "tencentcloud", count: 1 });
  });

  it("the emulator's --seed refuses cluster ids the CLI would refuse", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cluster-power-probe-"));
    const file = join(dir, "seed.json");
    writeFileSync(file, JSON.stringify({ tencentcloud: { clusters: [{ clusterId: "my-cluster", region: "ap-guangzhou" }] } }));
    const run = await runWithin(["emulator", "--seed", file], cleanEnv({}), 10_000);
    expect(run.killed, "the emulator started with an id nobody can name").toBe(false);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/tencentcloud\.clusters\.0\.clusterId: .*"my-cluster" is not a TDSQL-C MySQL cluster id/);
    record("argument validation before any call", "emulator --seed with an id the CLI refuses", "exit 2 naming the field", { count: 1 });
  });
});

// ---- 6 ----------------------------------------------------------------------------------------

describe("numeric bounds", () => {
  it("the CLI and the resource share one timeout range", () => {
    expect(MAX_TIMEOUT_SECONDS).toBe(CORE_MAX_TIMEOUT);
    const base = { cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75", region: "ap-guangzhou" };
    expect(checkInputs({ ...base, timeoutSeconds: MAX_TIMEOUT_SECONDS }).failures).toEqual([]);
    expect(checkInputs({ ...base, timeoutSeconds: MAX_TIMEOUT_SECONDS + 1 }).failures.map((f) => f.property)).toEqual(["timeoutSeconds"]);
  });

  it.each([
    ["pause", "3000000"],
    ["pause", "1e12"],
    ["resume", String(MAX_TIMEOUT_SECONDS + 1)],
    ["status", "1e12"],
    ["pause", "Infinity"],
  ])("%s --timeout %s is a usage error naming the range, before any call", async (command, value) => {
    const [id] = seed(TENCENT, 1);
    const before = emulator.log.entries.length;
    const run = await runWithin(argv(command, TENCENT, [id], "--timeout", value), envFor(TENCENT), 20_000);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`up to ${MAX_TIMEOUT_SECONDS}`);
    expect(run.stderr).not.toMatch(/TimeoutOverflowWarning|InternalError/);
    expect(emulator.log.entries.length - before).toBe(0);
    record("numeric bounds", `${command} --timeout ${value}`, "exit 2 naming the range, 0 API calls", { cloud: "tencentcloud", count: 1 });
  });

  it(`--timeout ${MAX_TIMEOUT_SECONDS} (the largest) works, with no timer overflow`, async () => {
    const [id] = seed(TENCENT, 1);
    const run = await runWithin(argv("pause", TENCENT, [id], "--timeout", String(MAX_TIMEOUT_SECONDS)), envFor(TENCENT), 20_000);
    expect(run.code, run.stderr).toBe(0);
    expect(TENCENT.live(emulator, id)).toBe("paused");
    expect(run.stderr).not.toMatch(/TimeoutOverflowWarning/);
    record("numeric bounds", `pause --timeout ${MAX_TIMEOUT_SECONDS}`, "paused, exit 0, no timer overflow", { cloud: "tencentcloud", count: 1 });
  });
});

// ---- 7 ----------------------------------------------------------------------------------------

/** The first `n`-character piece of `secret` found in `text`, if any. */
function fragmentOf(secret: string, text: string, n = 8): string | undefined {
  for (let i = 0; i + n <= secret.length; i++) if (text.includes(secret.slice(i, i + n))) return secret.slice(i, i + n);
  return undefined;
}

describe("redaction at every offset", () => {
  /** The offset is carried in the cluster id (redact042 -> 42), so runs can go side by side. */
  const idFor = (kit: CloudKit, offset: number) => (kit.cloud === "tencentcloud" ? "cynosdbmysql-redact" : "in01-redact") + String(offset).padStart(3, "0");
  const offsetIn = (text: string) => Number(/redact(\d{3})/.exec(text)?.[1] ?? 0);
  const body = (secret: string, offset: number) => `${"#".repeat(offset)}${secret}${"#".repeat(200)}`;
  const kits = [
    { kit: ZILLIZ, secret: CANARY.zillizApiKey },
    { kit: TENCENT, secret: CANARY.tencentSecretKey },
  ];

  async function keyServer(secret: string, status: number) {
    return handServer((req, raw, res) => reply(res, status, body(secret, offsetIn(`${req.url} ${raw}`)), "text/html"));
  }

  it.each(kits.flatMap((k) => [404, 502, 200].map((status) => ({ ...k, status }))))(
    "$kit.cloud, HTTP $status with a non-JSON body: no piece of the key in the error, at every offset 0..220 (drivers in-process)",
    async ({ kit, secret, status }) => {
      const server = await keyServer(secret, status);
      const unlimited = new SlidingWindowLimiter({ limit: 1_000_000, windowMs: 1000, marginMs: 0 });
      const once = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 };
      const driver =
        kit.cloud === "tencentcloud"
          ? createTencentDriver({ region: "ap-guangzhou", endpoint: server.url, credentials: { secretId: CANARY.tencentSecretId, secretKey: CANARY.tencentSecretKey }, retry: once, limiter: unlimited, batchLimiter: unlimited })
          : createZillizDriver({ endpoint: server.url, apiKey: CANARY.zillizApiKey, retry: once, limiter: unlimited });
      const leaks: string[] = [];
      try {
        for (let offset = 0; offset <= 220; offset++) {
          const error = (await driver.describe(idFor(kit, offset)).catch((e: unknown) => e)) as Error;
          expect(error).toBeInstanceOf(Error);
          const piece = fragmentOf(secret, error.message);
          if (piece) leaks.push(`offset ${offset}: ${piece}`);
          texts[`redaction ${kit.cloud} ${status} ${offset}`] = error.message;
        }
      } finally {
        await server.close();
      }
      expect(leaks).toEqual([]);
      record("redaction at every offset", `HTTP ${status} non-JSON body, key at every offset 0..220 (driver)`, "no piece of the key in any error", { cloud: kit.cloud, count: 221 });
    },
  );

  it.each(kits)("$kit.cloud: through the binary, the key across the 160-character cut never shows in part", async ({ kit, secret }) => {
    const server = await keyServer(secret, 404);
    // Every offset that puts the key across the cut, and a few either side.
    const offsets = Array.from({ length: secret.length + 6 }, (_, i) => 160 - secret.length - 2 + i);
    const leaks: string[] = [];
    try {
      for (let i = 0; i < offsets.length; i += 4) {
        const runs = await Promise.all(offsets.slice(i, i + 4).map((offset) => runWithin(argv("status", kit, [idFor(kit, offset)]), envFor(kit, server.url), 60_000).then((run) => ({ run, offset }))));
        for (const { run, offset } of runs) {
          expect(run.code).toBe(1);
          const piece = fragmentOf(secret, run.stdout + run.stderr);
          if (piece) leaks.push(`offset ${offset}: ${piece}`);
        }
      }
    } finally {
      await server.close();
    }
    expect(leaks).toEqual([]);
    record("redaction at every offset", `HTTP 404 non-JSON body, key across the cut at ${offsets.length} offsets (CLI)`, "no piece of the key in stdout or stderr", { cloud: kit.cloud, count: offsets.length });
  }, 300_000);
});

// ---- 8 ----------------------------------------------------------------------------------------

describe("broken paging", () => {
  it("Tencent: DescribeClusters over-reports TotalCount and repeats its first page; the run ends, with a bounded number of calls", async () => {
    const ids = ["cynosdbmysql-paging001", "cynosdbmysql-paging002", "cynosdbmysql-paging003"];
    const calls: Record<string, number> = {};
    const fields = (id: string) => ({ ClusterId: id, ClusterName: id, DbMode: "SERVERLESS", Status: "running", ServerlessStatus: "pause" });
    const server = await handServer((req, raw, res) => {
      const action = String(req.headers["x-tc-action"]);
      calls[action] = (calls[action] ?? 0) + 1;
      const params = JSON.parse(raw || "{}") as { ClusterId?: string };
      const requestId = `req-${calls[action]}`;
      if (action === "DescribeClusters") return reply(res, 200, { Response: { TotalCount: 100_000, ClusterSet: [fields(ids[0]), fields(ids[1])], RequestId: requestId } });
      if (action === "DescribeClusterDetail") return reply(res, 200, { Response: { Detail: fields(params.ClusterId ?? "?"), RequestId: requestId } });
      return reply(res, 200, { Response: { Error: { Code: "InvalidAction", Message: "not here" }, RequestId: requestId } });
    });
    try {
      const run = await runWithin(argv("pause", TENCENT, ids, "--timeout", "10", "--json"), envFor(TENCENT, server.url), 20_000);
      expect(run.killed, `still paging after 20 s: ${JSON.stringify(calls)}`).toBe(false);
      expect(run.code, run.stderr).toBe(0);
      expect(json(run).clusters.map((c) => c.observedState)).toEqual(["paused", "paused", "paused"]);
      expect(calls.DescribeClusters).toBeLessThanOrEqual(3);
      record("broken paging", "DescribeClusters: TotalCount 100000, first page repeated", `exit 0, ${calls.DescribeClusters} list calls`, { cloud: "tencentcloud", count: calls.DescribeClusters });
    } finally {
      await server.close();
    }
  });

  it("Zilliz: the list over-reports count and ignores currentPage; the run ends, with a bounded number of calls", async () => {
    const ids = ["in01-paging0000000001", "in01-paging0000000002"];
    const filler = Array.from({ length: 100 }, (_, i) => ({ clusterId: `in01-filler${String(i).padStart(8, "0")}`, status: "STOPPED", plan: "Standard" }));
    let lists = 0;
    const server = await handServer((req, _raw, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/v2/clusters") {
        lists++;
        return reply(res, 200, { code: 0, data: { count: 100_000, currentPage: 1, pageSize: 100, clusters: filler } });
      }
      const id = decodeURIComponent(url.pathname.split("/")[3] ?? "");
      return reply(res, 200, { code: 0, data: { clusterId: id, status: "STOPPED", plan: "Standard" } });
    });
    try {
      const run = await runWithin(argv("pause", ZILLIZ, ids, "--timeout", "10", "--json"), envFor(ZILLIZ, server.url), 20_000);
      expect(run.killed, `still paging after 20 s: ${lists} list calls`).toBe(false);
      expect(run.code, run.stderr).toBe(0);
      expect(lists).toBeLessThanOrEqual(3);
      record("broken paging", "list: count 100000, the same full page for every currentPage", `exit 0, ${lists} list calls`, { cloud: "zillizcloud", count: lists });
    } finally {
      await server.close();
    }
  });
});

// ---- 9 ----------------------------------------------------------------------------------------

describe("what the summary claims", () => {
  it.each([TENCENT, ZILLIZ])("$cloud: the answer to an applied pause is lost: the text never says 'no call made', and agrees with --json", async (kit) => {
    const [textId, jsonId] = seed(kit, 2);
    for (const id of [textId, jsonId]) emulator.faults.push({ cloud: kit.cloud, action: kit.writeAction.pause, clusterId: id, fault: { kind: "reset" }, when: "after" });
    const text = await runWithin(argv("pause", kit, [textId]), envFor(kit), 30_000);
    const doc = await runWithin(argv("pause", kit, [jsonId], "--json"), envFor(kit), 30_000);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).not.toMatch(/no call made/);
    expect(text.stdout).toMatch(/paused after .*\(a pause call was sent; its answer was lost\)/);
    expect(json(doc).clusters[0]).toMatchObject({ writeCalls: 1, reachedTarget: true });
    record("what the summary claims", "an applied pause whose answer was lost", "text: 'a pause call was sent; its answer was lost'; --json writeCalls 1", { cloud: kit.cloud, count: 2, writeCalls: 1 });
  });

  it("Tencent: a pause refused three times for the cluster's state keeps the cloud's code and RequestId", async () => {
    const [id] = seed(TENCENT, 1);
    emulator.faults.push({ cloud: "tencentcloud", action: "PauseServerless", clusterId: id, fault: { kind: "error", code: "OperationDenied.ServerlessClusterStatusDenied", message: "For the serverless cluster in status resume, the operation is not allowed." }, times: 3 });
    const run = await runWithin(argv("pause", TENCENT, [id], "--json"), envFor(TENCENT), 30_000);
    expect(run.code).toBe(1);
    const [cluster] = json(run).clusters;
    expect(cluster.error?.code).toBe("OperationFailed");
    expect(cluster.error?.message).toMatch(/after 3 pause calls; the last one was refused: .*\[OperationDenied\.ServerlessClusterStatusDenied\].*RequestId [0-9a-f-]{36}/);
    expect(cluster.requestId).toMatch(/^[0-9a-f-]{36}$/);
    record("what the summary claims", "pause refused 3 times (ServerlessClusterStatusDenied)", "OperationFailed with the cloud's code and RequestId", { cloud: "tencentcloud", count: 1, writeCalls: 3 });
  });

  it("Zilliz: a suspend turned away by the rate limit shows a progress line while it is retried", async () => {
    const [id] = seed(ZILLIZ, 1);
    emulator.faults.push({ cloud: "zillizcloud", action: "suspend", clusterId: id, fault: ZILLIZ.rateLimited, times: 3 });
    const run = await runWithin(argv("pause", ZILLIZ, [id]), envFor(ZILLIZ), 30_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`${id}: suspend refused \\[429\\]; retry 1 in`));
    record("what the summary claims", "suspend refused by the rate limit, then accepted", "progress line while retried; paused", { cloud: "zillizcloud", count: 1, writeCalls: 4 });
  });
});
