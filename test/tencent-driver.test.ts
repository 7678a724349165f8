import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CloudApiError, ClusterNotFoundError, ConfigurationError, TransitionError } from "../src/core/errors";
import { SlidingWindowLimiter } from "../src/core/rate-limit";
import { transition, type TransitionOptions, type WaitPolicy } from "../src/core/transition";
import type { TargetPowerState } from "../src/core/power";
import { createTencentDriver, type TencentDriverOptions } from "../src/clouds/tencent";
import { DESCRIBE_CLUSTERS_RATE_LIMIT } from "../src/clouds/tencent/client";
import { startEmulator, type Emulator } from "../src/emulator/server";
import type { Fault } from "../src/emulator/faults";

const KEY = { secretId: "AKIDdriverkey0000000000000000000000001", secretKey: "driver-secret-key-do-not-leak" };
const TEMP = { secretId: "AKIDdrivertemp000000000000000000000002", secretKey: "driver-temp-secret-do-not-leak", token: "driver-sts-token-do-not-leak" };
const TRANSITION_MS = 150;
const POLICY: WaitPolicy = { firstDelayMs: 40, factor: 1.5, maxDelayMs: 150, graceReads: 5, operationStatusEvery: 3, maxWrites: 3 };
const WRITES = ["PauseServerless", "ResumeServerless"];

let emu: Emulator;
let seq = 0;
/** One set of lanes for the file, as processLimiter is one per process: every driver of KEY shares them. */
const sharedLimiter = new SlidingWindowLimiter();

beforeAll(async () => {
  emu = await startEmulator({ transitionMs: TRANSITION_MS, seeds: { tencentcloud: { keys: [KEY, TEMP], clusters: [] } } });
});
afterAll(() => emu.stop());
beforeEach(() => emu.faults.clear());

/** A fresh serverless cluster per test, so tests never share state. */
function newCluster(serverlessStatus: "resume" | "pause" = "resume", extra: Record<string, unknown> = {}): string {
  const id = `cynosdbmysql-t${String(++seq).padStart(7, "0")}`;
  emu.part("tencentcloud").addCluster({ clusterId: id, region: "ap-guangzhou", serverlessStatus, ...extra });
  return id;
}

function driver(options: Partial<TencentDriverOptions> = {}) {
  return createTencentDriver({
    region: "ap-guangzhou",
    endpoint: emu.url,
    credentials: KEY,
    env: {},
    requestTimeoutMs: 400,
    retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50 },
    limiter: sharedLimiter,
    batchLimiter: new SlidingWindowLimiter(DESCRIBE_CLUSTERS_RATE_LIMIT),
    ...options,
  });
}

function run(d: ReturnType<typeof driver>, id: string, target: TargetPowerState, extra: Partial<TransitionOptions> = {}) {
  return transition(d, id, target, { wait: true, deadline: Date.now() + 15_000, policy: POLICY, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<TransitionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransitionError);
  return error as TransitionError;
}

const calls = (id: string, action: string | string[]) => emu.log.count({ cloud: "tencentcloud", clusterId: id, action });
const inject = (action: string, clusterId: string, fault: Fault, more: { times?: number; when?: "before" | "after" } = {}) =>
  emu.faults.push({ cloud: "tencentcloud", action, clusterId, fault, ...more });

describe("pause and resume through createTencentDriver + transition()", () => {
  it("pause then resume end at the target; repeating either makes zero write calls", async () => {
    const id = newCluster("resume");
    const d = driver();
    const paused = await run(d, id, "paused", { writeOptions: { forcePause: true } });
    expect(paused).toMatchObject({ reachedTarget: true, writeCalls: 1, snapshot: { power: "paused", rawStatus: "SERVERLESS running/pause" } });
    expect(paused.receipt).toMatchObject({ operation: "pause", flowId: expect.any(Number), requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const [pauseCall] = emu.log.find({ clusterId: id, action: "PauseServerless" });
    expect(JSON.parse(pauseCall.body)).toEqual({ ClusterId: id, ForcePause: 1 });
    expect(pauseCall.authorization).toContain("/cynosdb/tc3_request");

    const again = await run(d, id, "paused");
    expect(again).toMatchObject({ reachedTarget: true, writeCalls: 0 });
    expect(calls(id, "PauseServerless")).toBe(1);

    const resumed = await run(d, id, "running");
    expect(resumed).toMatchObject({ reachedTarget: true, writeCalls: 1, snapshot: { power: "running" } });
    expect(resumed.receipt?.operation).toBe("resume");
    await run(d, id, "running");
    expect(calls(id, WRITES)).toBe(2);
    expect(emu.part("tencentcloud").getCluster(id)?.serverlessStatus).toBe("resume");
  });

  it("ForcePause is always explicit: 0 when unset (the API default 1 would drop connections), 1 when asked", async () => {
    const id = newCluster("resume");
    await run(driver(), id, "paused");
    expect(JSON.parse(emu.log.find({ clusterId: id, action: "PauseServerless" })[0].body)).toEqual({ ClusterId: id, ForcePause: 0 });
    const id2 = newCluster("resume");
    await run(driver(), id2, "paused", { writeOptions: { forcePause: true } });
    expect(JSON.parse(emu.log.find({ clusterId: id2, action: "PauseServerless" })[0].body)).toEqual({ ClusterId: id2, ForcePause: 1 });
  });

  it("60 concurrent pauses on 60 clusters draw zero RequestLimitExceeded", async () => {
    const ids = Array.from({ length: 60 }, () => newCluster("resume"));
    const d = driver();
    const started = Date.now();
    const results = await Promise.all(ids.map((id) => run(d, id, "paused", { deadline: Date.now() + 40_000 })));
    const elapsed = Date.now() - started;
    expect(results.every((r) => r.reachedTarget && r.writeCalls === 1)).toBe(true);
    const entries = emu.log.entries.filter((e) => ids.includes(e.clusterId ?? ""));
    expect(entries.filter((e) => e.outcome === "RequestLimitExceeded")).toHaveLength(0);
    expect(entries.filter((e) => e.action === "PauseServerless")).toHaveLength(60);
    console.log(`60 concurrent pauses: ${entries.length} requests in ${elapsed} ms, 0 RequestLimitExceeded`);
  });

  it("a NORMAL cluster fails as unsupported and an absent one as not found, both without writes", async () => {
    const normal = newCluster("resume", { dbMode: "NORMAL" });
    const e1 = await failure(run(driver(), normal, "paused"));
    expect(e1.reason).toBe("unsupported");
    expect(e1.message).toMatch(/NORMAL/);
    expect(calls(normal, WRITES)).toBe(0);

    const d = driver();
    await expect(d.describe("cynosdbmysql-absent00")).rejects.toBeInstanceOf(ClusterNotFoundError);
    const e2 = await failure(run(d, "cynosdbmysql-absent00", "paused"));
    expect(e2.message).toContain("ResourceNotFound.ClusterNotFoundError");
    expect(calls("cynosdbmysql-absent00", WRITES)).toBe(0);
  });

  it("an isolated cluster fails fast", async () => {
    const id = newCluster("pause", { status: "isolated" });
    const e = await failure(run(driver(), id, "running"));
    expect(e.reason).toBe("failed-state");
    expect(calls(id, WRITES)).toBe(0);
  });

  it("drift: an out-of-band auto-resume is undone by the next pause", async () => {
    const id = newCluster("pause");
    emu.part("tencentcloud").autoResume(id);
    const result = await run(driver(), id, "paused");
    expect(result).toMatchObject({ reachedTarget: true, writeCalls: 1 });
  });
});

describe("every fault class ends in the right state or a clear error with the cloud's code", () => {
  it.each([
    ["RequestLimitExceeded", "PauseServerless"],
    ["RequestLimitExceeded.UinLimitExceeded", "DescribeClusterDetail"],
    ["FailedOperation.FlowCreateError", "PauseServerless"],
    ["InternalError.SystemError", "PauseServerless"],
    ["InternalError.UnknownError", "DescribeClusterDetail"],
    ["ResourceUnavailable", "DescribeClusterDetail"],
    ["ServiceUnavailable", "PauseServerless"],
  ])("retryable %s on %s is retried and the pause completes", async (code, action) => {
    const id = newCluster("resume");
    inject(action, id, { kind: "error", code });
    const result = await run(driver(), id, "paused");
    expect(result.reachedTarget).toBe(true);
    expect(emu.log.count({ clusterId: id, outcome: code })).toBe(1);
    expect(calls(id, "PauseServerless")).toBe(action === "PauseServerless" ? 2 : 1);
  });

  it.each([
    ["AuthFailure.SignatureFailure", "DescribeClusterDetail"],
    ["AuthFailure.SecretIdNotFound", "DescribeClusterDetail"],
    ["UnauthorizedOperation.PermissionDenied", "PauseServerless"],
    ["InvalidParameterValue.ParamError", "PauseServerless"],
    ["InvalidParameter", "DescribeClusterDetail"],
    ["InvalidParameterValue.DbModeNotServerlessError", "PauseServerless"],
  ])("non-retryable %s on %s fails once with the code", async (code, action) => {
    const id = newCluster("resume");
    inject(action, id, { kind: "error", code, message: "injected" });
    const e = await failure(run(driver(), id, "paused"));
    expect(e.reason).toBe("cloud-error");
    expect(e.message).toContain(code);
    expect((e.partial.cause as CloudApiError).code).toBe(code);
    expect((e.partial.cause as CloudApiError).requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls(id, action)).toBe(1);
    expect(emu.part("tencentcloud").getCluster(id)?.serverlessStatus).toBe("resume");
  });

  it("AuthFailure.SignatureExpire is re-signed once, then surfaces with a clock hint", async () => {
    const id = newCluster("resume");
    inject("DescribeClusterDetail", id, { kind: "error", code: "AuthFailure.SignatureExpire" });
    expect((await run(driver(), id, "paused")).reachedTarget).toBe(true);

    const id2 = newCluster("resume");
    inject("DescribeClusterDetail", id2, { kind: "error", code: "AuthFailure.SignatureExpire" }, { times: 2 });
    const e = await failure(run(driver(), id2, "paused"));
    expect(e.message).toMatch(/AuthFailure\.SignatureExpire.*clock/);
    expect(calls(id2, "DescribeClusterDetail")).toBe(2);
  });

  it("a real clock skew beyond 5 minutes is reported as SignatureExpire", async () => {
    const id = newCluster("resume");
    const skewed = driver({ now: () => Date.now() - 6 * 60_000 });
    await expect(skewed.describe(id)).rejects.toMatchObject({ code: "AuthFailure.SignatureExpire" });
  });

  it.each(["DescribeClusterDetail", "PauseServerless"])("HTTP 502 with an HTML body on %s is retried", async (action) => {
    const id = newCluster("resume");
    inject(action, id, { kind: "http", status: 502 });
    expect((await run(driver(), id, "paused")).reachedTarget).toBe(true);
    expect(emu.log.count({ clusterId: id, outcome: "http" })).toBe(1);
  });

  it("HTTP 502 that persists ends in a clear error with the status", async () => {
    const id = newCluster("resume");
    inject("DescribeClusterDetail", id, { kind: "http", status: 502 }, { times: 10 });
    const e = await failure(run(driver(), id, "paused"));
    expect(e.message).toMatch(/ClientError\.HttpStatusCodeError.*HTTP 502/);
    expect(calls(id, "DescribeClusterDetail")).toBe(4);
  });

  it.each([
    ["hang", { kind: "hang" } as Fault],
    ["malformed", { kind: "malformed" } as Fault],
    ["reset", { kind: "reset" } as Fault],
  ])("%s on a read is retried", async (name, fault) => {
    const id = newCluster("resume");
    inject("DescribeClusterDetail", id, fault);
    expect((await run(driver(), id, "paused")).reachedTarget).toBe(true);
    expect(emu.log.count({ clusterId: id, outcome: fault.kind })).toBe(1);
    expect(calls(id, "PauseServerless")).toBe(1);
    expect(name).toBe(fault.kind);
  });

  it.each([
    ["hang past the request timeout", { kind: "hang" } as Fault],
    ["malformed JSON", { kind: "malformed" } as Fault],
    ["reset", { kind: "reset" } as Fault],
  ])("%s on a pause that was NOT applied: re-read, then one more write", async (_name, fault) => {
    const id = newCluster("resume");
    inject("PauseServerless", id, fault);
    const result = await run(driver(), id, "paused");
    expect(result).toMatchObject({ reachedTarget: true, writeCalls: 2 });
    expect(calls(id, "PauseServerless")).toBe(2);
  });

  it.each([
    ["reset after apply (lost response)", { kind: "reset" } as Fault],
    ["malformed after apply", { kind: "malformed" } as Fault],
    ["hang after apply", { kind: "hang" } as Fault],
  ])("%s: never re-sent, the re-read shows the transition and the wait ends paused", async (_name, fault) => {
    const id = newCluster("resume");
    inject("PauseServerless", id, fault, { when: "after" });
    const result = await run(driver(), id, "paused");
    expect(result).toMatchObject({ reachedTarget: true, writeCalls: 1, receipt: undefined });
    expect(calls(id, "PauseServerless")).toBe(1);
  });

  it.each([
    ["HTTP 502 after apply", { kind: "http", status: 502 } as Fault],
    ["InternalError.SystemError after apply", { kind: "error", code: "InternalError.SystemError" } as Fault],
  ])("%s: the retry is refused as a state conflict, the engine re-reads and ends paused", async (_name, fault) => {
    const id = newCluster("resume");
    inject("PauseServerless", id, fault, { when: "after" });
    const result = await run(driver(), id, "paused");
    expect(result.reachedTarget).toBe(true);
    expect(calls(id, "PauseServerless")).toBe(2);
    expect(emu.log.count({ clusterId: id, outcome: "OperationDenied.ServerlessClusterStatusDenied" })).toBe(1);
  });

  it.each(["InvalidParameterValue.FlowNotFound", "FailedOperation.FlowNotFoundError", "UnauthorizedOperation.PermissionDenied"])(
    "DescribeFlow answering %s does not fail the wait: the cluster reads decide",
    async (code) => {
      const id = newCluster("resume");
      emu.faults.push({ cloud: "tencentcloud", action: "DescribeFlow", fault: { kind: "error", code }, times: 20 });
      const d = driver();
      // The list view shows the old steady state while pausing, so the engine asks the job status.
      const read = async (clusterId: string, signal: AbortSignal) => (await d.describeMany([clusterId], signal)).get(clusterId)!;
      const result = await run(d, id, "paused", { read, policy: { ...POLICY, graceReads: 1 } });
      expect(result.reachedTarget).toBe(true);
      expect(emu.log.count({ action: "DescribeFlow", outcome: code })).toBeGreaterThan(0);
      emu.faults.clear();
    },
  );

  it("a failed flow fails the wait with the flow id, and the cluster is back where it was", async () => {
    const id = newCluster("resume");
    inject("PauseServerless", id, { kind: "flow-failed" });
    const e = await failure(run(driver(), id, "paused"));
    expect(e.reason).toBe("operation-failed");
    expect(e.message).toContain(`flow ${e.partial.receipt?.flowId}`);
    expect(e.partial.receipt?.requestId).toBeDefined();
    expect(emu.log.count({ clusterId: undefined, action: "DescribeFlow" })).toBeGreaterThan(0);
    expect(emu.part("tencentcloud").getCluster(id)?.serverlessStatus).toBe("resume");
  });

  it("ServerlessClusterStatusDenied race: the cluster auto-pauses between our read and our write", async () => {
    const id = newCluster("resume");
    const d = driver();
    let reads = 0;
    const read = async (clusterId: string, signal: AbortSignal) => {
      const snapshot = await d.describe(clusterId, signal);
      if (reads++ === 0) emu.part("tencentcloud").autoPause(clusterId);
      return snapshot;
    };
    const result = await run(d, id, "paused", { read });
    expect(result).toMatchObject({ reachedTarget: true, writeCalls: 1, snapshot: { power: "paused" } });
    expect(emu.log.count({ clusterId: id, outcome: "OperationDenied.ServerlessClusterStatusDenied" })).toBe(1);
  });

  it("ServerlessClusterStatusDenied injected on resume: re-read and decide again", async () => {
    const id = newCluster("pause");
    inject("ResumeServerless", id, { kind: "error", code: "OperationDenied.ServerlessClusterStatusDenied" });
    const result = await run(driver(), id, "running");
    expect(result).toMatchObject({ reachedTarget: true, writeCalls: 2 });
  });

  it("temporary credentials that expire mid-run fail with AuthFailure.TokenFailure", async () => {
    const id = newCluster("resume");
    const expiring = { secretId: "AKIDdriverexpiring00000000000000000003", secretKey: "expiring-secret", token: "expiring-token" };
    emu.part("tencentcloud").addKey({ ...expiring, expiresAt: Date.now() + 60_000 });
    const d = driver({ credentials: expiring });
    await d.describe(id);
    emu.part("tencentcloud").addKey({ ...expiring, expiresAt: Date.now() - 1 });
    const e = await failure(run(d, id, "paused"));
    expect(e.message).toContain("AuthFailure.TokenFailure");
    expect(e.message).not.toContain("expiring-token");
  });
});

describe("configuration and secrets", () => {
  it("missing credentials name the stack config and the env variables, before any call", () => {
    const before = emu.log.entries.length;
    let error: unknown;
    try {
      createTencentDriver({ region: "ap-guangzhou", endpoint: emu.url, env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    for (const name of ["tencentcloud:secretId", "tencentcloud:secretKey", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"]) {
      expect(message).toContain(name);
    }
    expect(() => createTencentDriver({ region: "ap-guangzhou", env: { TENCENTCLOUD_SECRET_ID: "AKIDx" } })).toThrow(/TENCENTCLOUD_SECRET_KEY/);
    expect(emu.log.entries.length).toBe(before);
  });

  it("reads env credentials, including TENCENTCLOUD_SECURITY_TOKEN", async () => {
    const id = newCluster("resume");
    const d = driver({
      credentials: undefined,
      env: { TENCENTCLOUD_SECRET_ID: TEMP.secretId, TENCENTCLOUD_SECRET_KEY: TEMP.secretKey, TENCENTCLOUD_SECURITY_TOKEN: TEMP.token },
    });
    expect((await d.describe(id)).power).toBe("running");
    expect(emu.log.find({ clusterId: id })[0].headers["x-tc-token"]).toBe(TEMP.token);
  });

  it("bad region, cluster id or endpoint fail before any call", async () => {
    expect(() => driver({ region: "Guangzhou" })).toThrow(ConfigurationError);
    expect(() => driver({ endpoint: "http://example.com" })).toThrow(/loopback/);
    const d = driver();
    const before = emu.log.entries.length;
    await expect(d.describe("cynosdbmysql-ins-abcd1234")).rejects.toThrow(/instance id/);
    await expect(d.describe("mysql-123")).rejects.toThrow(ConfigurationError);
    await expect(d.write("pause", "", {})).rejects.toThrow(ConfigurationError);
    await expect(d.describeMany!(["cynosdbmysql-ok000001", "nope"])).rejects.toThrow(ConfigurationError);
    expect(emu.log.entries.length).toBe(before);
  });

  it("a refused connection is retried even for a write (it never reached the cloud); a path in the endpoint is refused", async () => {
    const limiter = new SlidingWindowLimiter();
    let attempts = 0;
    const acquireHeld = limiter.acquireHeld.bind(limiter);
    limiter.acquireHeld = (key: string, signal?: AbortSignal) => {
      attempts++;
      return acquireHeld(key, signal);
    };
    const closed = await startEmulator();
    const url = closed.url;
    await closed.stop();
    const d = driver({ endpoint: url, limiter });
    const error = await d.write("pause", "cynosdbmysql-t0000001", {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "TransportError", sent: false });
    expect(attempts).toBe(4);
    expect(() => driver({ endpoint: `${emu.url}/v2` })).toThrow(/path/);
  });

  it("resolves hosts: default, intl, regional (fsi kept), env override, option wins", () => {
    const base = { credentials: KEY, env: {} as NodeJS.ProcessEnv, limiter: new SlidingWindowLimiter() };
    expect(createTencentDriver({ ...base, region: "ap-guangzhou" }).scope).toBe(`tencentcloud:${KEY.secretId}:ap-guangzhou:cynosdb.tencentcloudapi.com`);
    expect(createTencentDriver({ ...base, region: "ap-tokyo", site: "intl" }).scope).toMatch(/:cynosdb\.intl\.tencentcloudapi\.com$/);
    expect(createTencentDriver({ ...base, region: "ap-shanghai", site: "regional" }).scope).toMatch(/:cynosdb\.ap-shanghai\.tencentcloudapi\.com$/);
    expect(createTencentDriver({ ...base, region: "ap-shenzhen-fsi", site: "regional" }).scope).toMatch(/:cynosdb\.ap-shenzhen-fsi\.tencentcloudapi\.com$/);
    const env = { CLUSTER_POWER_TENCENTCLOUD_ENDPOINT: "http://127.0.0.1:1" };
    expect(createTencentDriver({ ...base, env, region: "ap-guangzhou", site: "intl" }).scope).toMatch(/:127\.0\.0\.1:1$/);
    expect(createTencentDriver({ ...base, env, region: "ap-guangzhou", endpoint: "https://cynosdb.example.test" }).scope).toMatch(/:cynosdb\.example\.test$/);
    expect(createTencentDriver({ ...base, region: "ap-guangzhou" }).scope).not.toContain(KEY.secretKey);
  });

  it("secrets never appear in error text, even when the cloud echoes them", async () => {
    const id = newCluster("resume");
    const messages: string[] = [];
    const collect = (e: unknown) => messages.push(String((e as Error).message), JSON.stringify(e), String((e as Error).stack));
    await driver({ credentials: { ...KEY, secretKey: "wrong-key-that-must-not-leak" } }).describe(id).catch(collect);
    inject("DescribeClusterDetail", id, { kind: "http", status: 503, body: `upstream said: key=${KEY.secretKey} token=${TEMP.token}` }, { times: 10 });
    await driver().describe(id).catch(collect);
    inject("PauseServerless", id, { kind: "error", code: "InvalidParameter", message: `bad ${KEY.secretKey}` });
    await run(driver({ credentials: TEMP }), id, "paused").catch(collect);
    expect(messages.join("\n")).toContain("AuthFailure.SignatureFailure");
    expect(messages.join("\n")).toContain("HTTP 503");
    for (const secret of ["wrong-key-that-must-not-leak", KEY.secretKey, TEMP.secretKey, TEMP.token]) {
      expect(messages.join("\n")).not.toContain(secret);
    }
  });
});

describe("batched reads and DescribeFlow", () => {
  it("describeMany reads 150 ids in two DescribeClusters calls; absent ids are left out", async () => {
    const ids = Array.from({ length: 149 }, () => newCluster("pause"));
    const d = driver();
    const before = emu.log.count({ action: "DescribeClusters" });
    const found = await d.describeMany!([...ids, "cynosdbmysql-absent01"]);
    expect(emu.log.count({ action: "DescribeClusters" }) - before).toBe(2);
    expect(found.size).toBe(149);
    expect([...found.values()].every((s) => s.power === "paused")).toBe(true);
    expect(found.has("cynosdbmysql-absent01")).toBe(false);
    expect(d.maxBatch).toBe(100);
  });

  it.each([false, true])("a transition waiting on describeMany reaches the target (list shows transitions: %s)", async (shows) => {
    const other = await startEmulator({ transitionMs: 400, seeds: { tencentcloud: { keys: [KEY], describeClustersShowsTransitions: shows } } });
    try {
      const id = "cynosdbmysql-list0001";
      other.part("tencentcloud").addCluster({ clusterId: id });
      const d = driver({ endpoint: other.url });
      const read = async (clusterId: string, signal: AbortSignal) => {
        const snapshot = (await d.describeMany!([clusterId], signal)).get(clusterId);
        if (!snapshot) throw new Error("vanished");
        return snapshot;
      };
      const result = await run(d, id, "paused", { read, policy: { ...POLICY, graceReads: 2, operationStatusEvery: 1 } });
      expect(result).toMatchObject({ reachedTarget: true, writeCalls: 1 });
      expect(other.log.count({ action: "PauseServerless" })).toBe(1);
    } finally {
      await other.stop();
    }
  });

  it("operationStatus maps 2/0/1 and treats an unknown flow as neutral", async () => {
    const id = newCluster("resume");
    const d = driver();
    const receipt = await d.write("pause", id, { forcePause: true });
    expect(await d.operationStatus!(receipt)).toBe("running");
    await new Promise((r) => setTimeout(r, TRANSITION_MS + 30));
    expect(await d.operationStatus!(receipt)).toBe("succeeded");
    expect(await d.operationStatus!({ ...receipt, flowId: 1 })).toBe("succeeded");
    const err = await d.write("pause", id, {}).catch((e: unknown) => e);
    expect(d.isStateConflict(err)).toBe(true);
    expect(d.isStateConflict(new Error("x"))).toBe(false);
  });
});
