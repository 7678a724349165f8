import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createZillizDriver, type ZillizDriverOptions } from "../src/clouds/zilliz";
import { createHash } from "node:crypto";
import { CloudApiError, ClusterNotFoundError, ConfigurationError, TransitionError } from "../src/core/errors";
import { TransportError } from "../src/core/http";
import type { CloudDriver, ClusterSnapshot, TargetPowerState } from "../src/core/power";
import { SlidingWindowLimiter } from "../src/core/rate-limit";
import { transition, type TransitionResult, type WaitPolicy } from "../src/core/transition";
import { DEFAULT_WATCHER_PACING, StatusWatcher } from "../src/core/watcher";
import type { FaultRule } from "../src/emulator/faults";
import { startEmulator, type Emulator } from "../src/emulator/server";
import { DEMO_ZILLIZ_API_KEY, type ZillizPlan } from "../src/clouds/zilliz/emulator";

const TRANSITION_MS = 150;
const FAST: WaitPolicy = { firstDelayMs: 40, factor: 1.5, maxDelayMs: 150, graceReads: 4, operationStatusEvery: 3, maxWrites: 3 };
const RETRY = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 40 };
const WRITES = ["suspend", "resume"];

let emu: Emulator;
let serial = 0;
/** One limiter for the file, as processLimiter is one per process: drivers of a key share its lanes. */
const sharedLimiter = new SlidingWindowLimiter();

beforeAll(async () => {
  emu = await startEmulator({ transitionMs: TRANSITION_MS });
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(() => {
  emu.faults.clear();
  emu.part("zillizcloud").setStatusSpelling("STOPPED");
  emu.part("zillizcloud").setErrorHttpStatus("200");
});

function cluster(plan: ZillizPlan = "Standard", regionId = "aws-us-west-2", status = "RUNNING"): string {
  const prefix = plan === "Free" ? "in03" : plan === "Serverless" ? "in05" : "in01";
  const clusterId = `${prefix}-${(++serial).toString(16).padStart(15, "0")}`;
  emu.part("zillizcloud").addCluster({ clusterId, regionId, plan, status });
  return clusterId;
}

function driver(apiVersion: "v1" | "v2", extra: Partial<ZillizDriverOptions> = {}): CloudDriver {
  return createZillizDriver({
    apiVersion,
    region: "aws-us-west-2",
    endpoint: emu.url,
    apiKey: DEMO_ZILLIZ_API_KEY,
    env: {},
    requestTimeoutMs: 1000,
    retry: RETRY,
    limiter: sharedLimiter,
    ...extra,
  });
}

function run(d: CloudDriver, clusterId: string, target: TargetPowerState, extra: { read?: (id: string, s: AbortSignal) => Promise<ClusterSnapshot> } = {}): Promise<TransitionResult> {
  return transition(d, clusterId, target, { wait: true, deadline: Date.now() + 15_000, policy: FAST, ...extra });
}

async function failure(p: Promise<unknown>): Promise<TransitionError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransitionError);
  return error as TransitionError;
}

const writesTo = (clusterId: string) => emu.log.count({ cloud: "zillizcloud", clusterId, action: WRITES });
const callsTo = (clusterId: string) => emu.log.count({ cloud: "zillizcloud", clusterId });

describe.each(["v2", "v1"] as const)("Zilliz %s against the emulator", (v) => {
  const PROMPT = {
    v2: { suspend: /^Successfully Submitted\. The cluster will not incur any computing costs/, resume: /^successfully Submitted\. Cluster is being resumed/ },
    v1: { suspend: /^successfully Submitted\. The cluster will not incur any computing costs/, resume: /^Submission successful\. Cluster is currently resuming/ },
  }[v];

  it("suspends then resumes to the target, returning the prompt and request id; repeating makes zero write calls", async () => {
    const id = cluster();
    const d = driver(v);
    const paused = await run(d, id, "paused");
    expect(paused).toMatchObject({ reachedTarget: true, writeCalls: 1, snapshot: { power: "paused", rawStatus: "STOPPED" } });
    expect(paused.receipt?.prompt).toMatch(PROMPT.suspend);
    expect(paused.receipt?.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(emu.part("zillizcloud").getCluster(id)?.status).toBe("STOPPED");

    const again = await run(d, id, "paused");
    expect(again).toMatchObject({ reachedTarget: true, writeCalls: 0 });

    const running = await run(d, id, "running");
    expect(running).toMatchObject({ reachedTarget: true, writeCalls: 1, snapshot: { power: "running", rawStatus: "RUNNING" } });
    expect(running.receipt?.prompt).toMatch(PROMPT.resume);
    expect(await run(d, id, "running")).toMatchObject({ writeCalls: 0 });

    // The emulator saw exactly one suspend and one resume, all with the right API version.
    expect(emu.log.count({ clusterId: id, action: "suspend" })).toBe(1);
    expect(emu.log.count({ clusterId: id, action: "resume" })).toBe(1);
    expect(emu.log.find({ clusterId: id }).every((e) => e.apiVersion === v && e.outcome === "ok")).toBe(true);
    const [first] = emu.log.find({ clusterId: id });
    expect(first.headers.accept).toBe("application/json");
    expect(first.authorization).toBe(`Bearer ${DEMO_ZILLIZ_API_KEY}`);
    // Behind an endpoint override, v1 names its region in a header (the real hosts name it in the host).
    expect(first.headers["x-cluster-power-region"]).toBe(v === "v1" ? "aws-us-west-2" : undefined);
  });

  it("handles the SUSPENDING/SUSPENDED spelling of the suspend states too", async () => {
    emu.part("zillizcloud").setStatusSpelling("SUSPENDED");
    const id = cluster();
    const result = await run(driver(v), id, "paused");
    expect(result.snapshot).toMatchObject({ power: "paused", rawStatus: "SUSPENDED" });
    expect(await run(driver(v), id, "running")).toMatchObject({ reachedTarget: true, writeCalls: 1 });
  });

  it("refuses Free and Serverless clusters before any write, naming the plan", async () => {
    for (const plan of ["Free", "Serverless"] as const) {
      const id = cluster(plan);
      const error = await failure(run(driver(v), id, "paused"));
      expect(error.reason).toBe("unsupported");
      expect(error.message).toMatch(new RegExp(`${plan} cluster`));
      expect(error.message).toMatch(/only Dedicated clusters can/);
      expect(callsTo(id)).toBe(1);
      expect(writesTo(id)).toBe(0);
    }
  });

  it("the API's own plan errors are clear and not retried if a write is sent anyway", async () => {
    const free = cluster("Free");
    const serverless = cluster("Serverless");
    const d = driver(v);
    const codes = v === "v1" ? ["80021", "80021"] : ["96021", "96022"];
    for (const [i, id] of [free, serverless].entries()) {
      const error = await d.write("pause", id, {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CloudApiError);
      expect(error).toMatchObject({ code: codes[i], retryable: false });
      expect(d.isStateConflict(error)).toBe(false);
      expect(writesTo(id)).toBe(1);
    }
  });

  it("an unknown cluster fails with ClusterNotFoundError after one read (HTTP 200 or 404 answers alike)", async () => {
    for (const mode of ["200", "4xx"] as const) {
      emu.part("zillizcloud").setErrorHttpStatus(mode);
      const id = `in01-nothere${mode}${v}`;
      const error = await failure(run(driver(v), id, "paused"));
      expect(error.reason).toBe("cloud-error");
      expect(error.partial.cause).toBeInstanceOf(ClusterNotFoundError);
      expect(error.partial.cause).toMatchObject({ code: v === "v1" ? "80020" : "96018", httpStatus: mode === "200" ? 200 : 404 });
      expect(callsTo(id)).toBe(1);
    }
  });

  it("a wrong key fails fast: one call, no retries, no polling", async () => {
    const id = cluster();
    const error = await failure(run(driver(v, { apiKey: "not-a-real-zilliz-key-000000" }), id, "paused"));
    expect(error.reason).toBe("cloud-error");
    expect(error.partial.cause).toMatchObject({ code: v === "v1" ? "80001" : "21119", httpStatus: 401, retryable: false });
    expect(error.message).not.toContain("not-a-real-zilliz-key-000000");
    expect(callsTo(id)).toBe(1);
  });

  it("a key revoked mid-run fails at the next read instead of polling until the deadline", async () => {
    const key = `revocable-key-${v}-0123456789`;
    emu.part("zillizcloud").addApiKey(key);
    const id = cluster();
    let reads = 0;
    const d = driver(v, { apiKey: key });
    const error = await failure(
      run(d, id, "paused", {
        read: async (clusterId, signal) => {
          if (++reads === 2) emu.part("zillizcloud").revokeApiKey(key);
          return d.describe(clusterId, signal);
        },
      }),
    );
    expect(error.partial.cause).toMatchObject({ code: v === "v1" ? "80002" : "21119", httpStatus: 401 });
    expect(error.partial.receipt?.operation).toBe("pause");
    expect(error.message).not.toContain(key);
    expect(reads).toBe(2);
  });

  it("fails fast on ABNORMAL, DELETED and FROZEN clusters, with no write", async () => {
    for (const status of ["ABNORMAL", "DELETED", "FROZEN"]) {
      const id = cluster("Standard", "aws-us-west-2", status);
      const error = await failure(run(driver(v), id, "running"));
      expect(error.reason).toBe("failed-state");
      expect(error.message).toContain(status);
      expect(callsTo(id)).toBe(1);
    }
  });

  it("waits through CREATING/MODIFYING and an opposite transition, then acts", async () => {
    const id = cluster("Standard", "aws-us-west-2", "MODIFYING");
    setTimeout(() => emu.part("zillizcloud").setStatus(id, "RUNNING"), 200);
    const result = await run(driver(v), id, "paused");
    expect(result).toMatchObject({ reachedTarget: true, writeCalls: 1 });

    const resuming = cluster("Standard", "aws-us-west-2", "STOPPED");
    emu.part("zillizcloud").resumeOutOfBand(resuming);
    expect(await run(driver(v), resuming, "paused")).toMatchObject({ reachedTarget: true, writeCalls: 1 });
  });

  it("a state conflict between read and write is re-read and decided again, not a failure", async () => {
    const id = cluster();
    const d = driver(v);
    let first = true;
    const result = await run(d, id, "paused", {
      read: async (clusterId, signal) => {
        const snapshot = await d.describe(clusterId, signal);
        // Someone suspends it in the console right after our first read.
        if (first) emu.part("zillizcloud").suspendOutOfBand(clusterId);
        first = false;
        return snapshot;
      },
    });
    expect(result).toMatchObject({ reachedTarget: true });
    const suspends = emu.log.find({ clusterId: id, action: "suspend" });
    expect(suspends.map((e) => [e.outcome, e.httpStatus])).toEqual([["400", 400]]);
    // Directly: a resume of a running cluster is a conflict by the driver's reckoning.
    const error = await d.write("resume", cluster(), {}).catch((e: unknown) => e);
    expect(d.isStateConflict(error)).toBe(true);
  });

  it("drift: a cluster resumed out of band is suspended again with one call", async () => {
    const id = cluster();
    const d = driver(v);
    await run(d, id, "paused");
    emu.part("zillizcloud").resumeOutOfBand(id, { immediate: true });
    expect((await d.describe(id)).power).toBe("running");
    expect(await run(d, id, "paused")).toMatchObject({ reachedTarget: true, writeCalls: 1 });
  });

  it("v1 clusters of another region are refused there (90102), not reported gone; v2 does not care about region", async () => {
    const hangzhou = cluster("Standard", "ali-cn-hangzhou");
    if (v === "v1") {
      // It exists, in another region: an error, never "gone".
      const error = await driver(v).describe(hangzhou).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CloudApiError);
      expect(error).not.toBeInstanceOf(ClusterNotFoundError);
      expect(error).toMatchObject({ code: "90102" });
      expect(await run(driver(v, { region: "ali-cn-hangzhou" }), hangzhou, "paused")).toMatchObject({ reachedTarget: true });
    } else {
      expect(await run(driver(v, { region: "ali-cn-hangzhou" }), hangzhou, "paused")).toMatchObject({ reachedTarget: true });
    }
  });

  describe("every fault class ends in the right state or a clear error", () => {
    const cases: Array<{ name: string; rules: (id: string) => FaultRule[]; suspends: number; error?: RegExp }> = [
      { name: "502 HTML on describe (retried)", rules: (id) => [{ clusterId: id, action: "describe", fault: { kind: "http", status: 502 }, times: 2 }], suspends: 1 },
      { name: "malformed describe body (retried)", rules: (id) => [{ clusterId: id, action: "describe", fault: { kind: "malformed" } }], suspends: 1 },
      { name: "connection reset on describe (retried)", rules: (id) => [{ clusterId: id, action: "describe", fault: { kind: "reset" } }], suspends: 1 },
      { name: "describe hangs past the request timeout (retried)", rules: (id) => [{ clusterId: id, action: "describe", fault: { kind: "hang" } }], suspends: 1 },
      { name: "rate-limit answer on suspend (retried in the client)", rules: (id) => [{ clusterId: id, action: "suspend", fault: { kind: "error", code: "429", httpStatus: 429, message: "Too many requests" } }], suspends: 2 },
      { name: "rate-limit body under HTTP 200 on suspend", rules: (id) => [{ clusterId: id, action: "suspend", fault: { kind: "error", code: "90001", message: "Request rate limit exceeded" } }], suspends: 2 },
      { name: "suspend lost before the cloud (reset): read, then sent again", rules: (id) => [{ clusterId: id, action: "suspend", fault: { kind: "reset" } }], suspends: 2 },
      { name: "suspend applied, response lost (reset after): never re-sent", rules: (id) => [{ clusterId: id, action: "suspend", fault: { kind: "reset" }, when: "after" }], suspends: 1 },
      { name: "suspend applied, then 502: never re-sent", rules: (id) => [{ clusterId: id, action: "suspend", fault: { kind: "http", status: 502 }, when: "after" }], suspends: 1 },
      { name: "suspend 503 before the cloud: read, then sent again", rules: (id) => [{ clusterId: id, action: "suspend", fault: { kind: "http", status: 503 } }], suspends: 2 },
      { name: "suspend applied, body garbled: never re-sent", rules: (id) => [{ clusterId: id, action: "suspend", fault: { kind: "malformed" }, when: "after" }], suspends: 1 },
      { name: "suspend applied, then the response hangs: never re-sent", rules: (id) => [{ clusterId: id, action: "suspend", fault: { kind: "hang" }, when: "after" }], suspends: 1 },
      { name: "suspend applied, then a JSON 500: never re-sent", rules: (id) => [{ clusterId: id, action: "suspend", fault: { kind: "error", code: "65535", httpStatus: 500, message: "Internal server error" }, when: "after" }], suspends: 1 },
      { name: "suspend hangs past the request timeout: read, then sent again", rules: (id) => [{ clusterId: id, action: "suspend", fault: { kind: "hang" } }], suspends: 2 },
      { name: "suspend accepted but lost in the cloud: sent again after the grace reads", rules: (id) => [{ clusterId: id, action: "suspend", fault: { kind: "flow-failed" } }], suspends: 2 },
      { name: "permission error on describe", rules: (id) => [{ clusterId: id, action: "describe", fault: { kind: "error", code: "96016" } }], suspends: 0, error: /96016.*Apikey scope/ },
      { name: "bad key on suspend", rules: (id) => [{ clusterId: id, action: "suspend", fault: { kind: "error", code: "21119" } }], suspends: 1, error: /21119.*HTTP 401/ },
      { name: "describe keeps failing with 502", rules: (id) => [{ clusterId: id, action: "describe", fault: { kind: "http", status: 502 }, times: RETRY.maxAttempts }], suspends: 0, error: /HTTP502.*HTTP 502/ },
      { name: "describe answers an unexpected shape", rules: (id) => [{ clusterId: id, action: "describe", fault: { kind: "malformed", body: '{"code":0,"data":{"clusterId":"x"}}' } }], suspends: 0, error: /InvalidResponse.*data\.status/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const id = cluster();
        emu.faults.push(...c.rules(id).map((r) => ({ cloud: "zillizcloud" as const, ...r })));
        const d = driver(v, { requestTimeoutMs: 300 });
        if (c.error) {
          const error = await failure(run(d, id, "paused"));
          expect(error.message).toMatch(c.error);
          expect(error.reason).toBe("cloud-error");
        } else {
          const result = await run(d, id, "paused");
          expect(result.reachedTarget).toBe(true);
          expect(emu.part("zillizcloud").getCluster(id)?.status).toBe("STOPPED");
        }
        expect(emu.log.count({ clusterId: id, action: "suspend" })).toBe(c.suspends);
        expect(emu.faults.pending()).toBe(0);
      });
    }
  });

  it("a lost write surfaces as a TransportError that may have been sent (the engine re-reads first)", async () => {
    const id = cluster();
    emu.faults.push({ cloud: "zillizcloud", clusterId: id, action: "suspend", fault: { kind: "http", status: 502 }, when: "after" });
    const error = await driver(v).write("pause", id, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ sent: true });
    expect(writesTo(id)).toBe(1);
  });

  it("describeMany pages through the clusters and leaves out ids that do not exist", async () => {
    const ids = Array.from({ length: 12 }, () => cluster());
    const d = driver(v, { pageSize: 5 });
    emu.log.clear();
    const wanted = [ids[0], ids[6], ids[11], "in01-doesnotexist00"];
    const found = await d.describeMany!(wanted);
    expect([...found.keys()].sort()).toEqual([ids[0], ids[6], ids[11]].sort());
    expect(found.get(ids[6])).toMatchObject({ power: "running", rawStatus: "RUNNING" });
    const lists = emu.log.find({ action: "list" });
    // All pages were needed to prove the missing id absent; each call asked for 5.
    expect(lists.length).toBeGreaterThanOrEqual(3);
    expect(lists.every((e) => e.outcome === "ok")).toBe(true);

    // When every id is found early, paging stops early.
    emu.log.clear();
    const all = emu.part("zillizcloud").listClusters().filter((c) => v === "v2" || c.regionId === "aws-us-west-2");
    const firstTwo = all.slice(0, 2).map((c) => c.clusterId);
    expect((await d.describeMany!(firstTwo)).size).toBe(2);
    expect(emu.log.count({ action: "list" })).toBe(1);
  });
});

describe("configuration", () => {
  it("reads the key and the endpoint from the environment", async () => {
    const id = cluster();
    const d = createZillizDriver({ env: { ZILLIZCLOUD_API_KEY: DEMO_ZILLIZ_API_KEY, CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT: emu.url }, limiter: sharedLimiter });
    expect(await d.describe(id)).toMatchObject({ clusterId: id, power: "running" });
    expect(d.scope).toBe(`zillizcloud:${emu.url}/v2:${createHash("sha256").update(DEMO_ZILLIZ_API_KEY).digest("hex").slice(0, 12)}`);
  });

  it("bad input fails before any API call", async () => {
    emu.log.clear();
    expect(() => createZillizDriver({ env: {}, endpoint: emu.url })).toThrow(ConfigurationError);
    expect(() => createZillizDriver({ env: {}, endpoint: emu.url, apiKey: DEMO_ZILLIZ_API_KEY, apiVersion: "v1" })).toThrow(/region/);
    const d = driver("v2");
    for (const bad of ["", "in01-x/../../v2/clusters", "in01 x", "in01-x?y=1"]) {
      await expect(d.describe(bad)).rejects.toBeInstanceOf(ConfigurationError);
      await expect(d.write("pause", bad, {})).rejects.toMatchObject({ field: "clusterId" });
    }
    expect(emu.log.count()).toBe(0);
  });
});

describe("60 concurrent suspends", () => {
  it.each(["v2", "v1"] as const)("%s: all reach STOPPED with zero rate-limit answers, reads batched by the watcher", async (v) => {
    const ids = Array.from({ length: 60 }, () => cluster());
    // One driver per resource, as the provider builds them; same scope, same limiter lanes.
    const drivers = ids.map(() => driver(v));
    const watcher = new StatusWatcher(drivers[0], { ...DEFAULT_WATCHER_PACING, budgetCalls: 10, windowMs: 1000, minRoundGapMs: 50, minBatch: 2 });
    emu.log.clear();
    const results = await Promise.all(ids.map((id, i) => run(drivers[i], id, "paused", { read: (c, s) => watcher.read(c, s) })));
    expect(results.every((r) => r.reachedTarget && r.writeCalls === 1)).toBe(true);
    expect(ids.every((id) => emu.part("zillizcloud").getCluster(id)?.status === "STOPPED")).toBe(true);
    expect(emu.log.count({ cloud: "zillizcloud", outcome: "RateLimited" })).toBe(0);
    expect(emu.log.count({ action: "suspend" })).toBe(60);
    // Reads went out as list pages, far fewer than one describe per cluster per poll.
    expect(emu.log.count({ action: "list" })).toBeGreaterThan(0);
    expect(emu.log.count({ action: ["list", "describe"] })).toBeLessThan(60);
  });

  it("control: without the client limiter the emulator does refuse the burst with 429", async () => {
    const ids = Array.from({ length: 60 }, () => cluster());
    const unlimited = new SlidingWindowLimiter({ limit: 10_000, windowMs: 1000, marginMs: 0 });
    // A key of its own, so no earlier test's requests are still in the emulator's window.
    const apiKey = "control-burst-key-0123456789abcdef";
    emu.part("zillizcloud").addApiKey(apiKey);
    // Refusals are normally retried until the deadline; maxRefusedMs 0 lets the first one through.
    const d = driver("v2", { apiKey, limiter: unlimited, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRefusedMs: 0 } });
    emu.log.clear();
    const outcomes = await Promise.all(ids.map((id) => d.write("pause", id, {}).then(() => "ok", (e: CloudApiError) => `${e.code}/${e.httpStatus}`)));
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(20);
    expect(outcomes.filter((o) => o === "429/429")).toHaveLength(40);
  });
});
