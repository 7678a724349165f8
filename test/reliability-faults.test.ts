import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDriver, type DriverSettings } from "./kit/drivers";
import { transition } from "../src/core/transition";
import type { ReliabilityRecord } from "../tools/reliability/records";
import { Recorder } from "./reliability/record";
import {
  CANARY,
  canaryConfig,
  canaryTencentKey,
  Engine,
  findCanaries,
  KITS,
  resource,
  sleep,
  writeCalls,
  requestLogText,
  shim,
  startCanaryEmulator,
  startCanaryHost,
  writeAccepted,
  type CloudKit,
  type Emulator,
  type RunningHost,
} from "./reliability/fixtures";
import { expectedLive, runCase, type CaseContext, type CaseResult, type Op, type Scenario } from "./reliability/scenarios";

/**
 * Faults through the emulator's fault queue, both clouds, pause / resume / read (refresh), driven
 * through Pulumi's real dynamic-provider host. Each case asserts the cluster's final state, what
 * the stack records (outputs, a partial result, nothing, or the resource gone), the error text
 * (cloud code, RequestId, our words), the exact number of pause/resume calls, and a follow-up
 * refresh + up that converges without repeating a write for a cluster already at its target.
 */

const recorder = new Recorder("faults", "Faults (pause, resume, read through the real provider host)");
const ALL: Op[] = ["pause", "resume", "read"];
const WRITES: Op[] = ["pause", "resume"];

const action = (c: CaseContext) => (c.op === "read" ? c.kit.describeAction : c.kit.writeAction[c.op]);
const isTencent = (c: CaseContext) => c.kit.cloud === "tencentcloud";
const REQUEST_ID = /RequestId [0-9a-f-]{16,}/;
const HOST_TROUBLE = /unhandled|uncaught|TypeError|RangeError|ReferenceError/i;

/** Scenarios that can share one emulator and one host: their faults target their own cluster. */
const SHARED: Scenario[] = [
  {
    name: "rate-limit burst (3 refusals, then accepted)",
    ops: ALL,
    rules: (c) => [{ cloud: c.kit.cloud, action: action(c), clusterId: c.clusterId, fault: c.kit.rateLimited, times: 3 }],
    // A refused write certainly did not happen, so the client retries it at once.
    expect: (c) => ({ outcome: "converged", final: c.op === "read" ? "start" : "target", writes: c.op === "read" ? 0 : 4 }),
  },
  {
    name: "InternalError twice, then recovers",
    ops: ALL,
    rules: (c) => [{ cloud: c.kit.cloud, action: action(c), clusterId: c.clusterId, fault: c.kit.internalError, times: 2 }],
    // Tencent retries a refused write; Zilliz treats a 5xx write as "may have happened", re-reads, then writes again.
    expect: (c) => ({ outcome: "converged", final: c.op === "read" ? "start" : "target", writes: c.op === "read" ? 0 : 3 }),
  },
  {
    name: "InternalError that does not go away",
    ops: ALL,
    readAlone: true,
    rules: (c) => [{ cloud: c.kit.cloud, action: action(c), clusterId: c.clusterId, fault: c.kit.internalError, times: 50 }],
    expect: (c) => ({
      outcome: "failed",
      final: "start",
      // Tencent: 5 attempts of one call. Zilliz: 3 write calls (each may have happened, so each is followed by reads).
      writes: c.op === "read" ? 0 : isTencent(c) ? 5 : 3,
      error:
        c.op !== "read" && !isTencent(c)
          ? [new RegExp(`still ${c.op === "pause" ? "running" : "paused"}`), /after 3 (pause|resume) calls/, /\[500\]/, REQUEST_ID, new RegExp(c.clusterId)]
          : [new RegExp(`\\[${c.kit.internalErrorCode}\\]`), REQUEST_ID, new RegExp(c.clusterId)],
    }),
  },
  ...[502, 503].map(
    (status): Scenario => ({
      name: `HTTP ${status} with an HTML body`,
      ops: ALL,
      rules: (c) => [{ cloud: c.kit.cloud, action: action(c), clusterId: c.clusterId, fault: { kind: "http", status } }],
      expect: (c) => ({ outcome: "converged", final: c.op === "read" ? "start" : "target", writes: c.op === "read" ? 0 : 2 }),
    }),
  ),
  {
    name: "connection reset before the cloud acts",
    ops: ALL,
    rules: (c) => [{ cloud: c.kit.cloud, action: action(c), clusterId: c.clusterId, fault: { kind: "reset" } }],
    // A reset write may have happened: read first, give the cloud its grace reads, then write again.
    expect: (c) => ({ outcome: "converged", final: c.op === "read" ? "start" : "target", writes: c.op === "read" ? 0 : 2 }),
  },
  {
    name: "connection reset after the cloud acted",
    ops: WRITES,
    rules: (c) => [{ cloud: c.kit.cloud, action: action(c), clusterId: c.clusterId, fault: { kind: "reset" }, when: "after" }],
    expect: () => ({ outcome: "converged", final: "target", writes: 1 }),
  },
  {
    name: "malformed JSON before the cloud acts",
    ops: ALL,
    rules: (c) => [{ cloud: c.kit.cloud, action: action(c), clusterId: c.clusterId, fault: { kind: "malformed" } }],
    expect: (c) => ({ outcome: "converged", final: c.op === "read" ? "start" : "target", writes: c.op === "read" ? 0 : 2 }),
  },
  {
    name: "malformed JSON after the cloud acted",
    ops: WRITES,
    rules: (c) => [{ cloud: c.kit.cloud, action: action(c), clusterId: c.clusterId, fault: { kind: "malformed" }, when: "after" }],
    expect: () => ({ outcome: "converged", final: "target", writes: 1 }),
  },
  {
    name: "response hangs until the deadline (timeoutSeconds 2)",
    ops: ALL,
    readAlone: true,
    timeoutSeconds: 2,
    rules: (c) => [{ cloud: c.kit.cloud, action: action(c), clusterId: c.clusterId, fault: { kind: "hang" } }],
    expect: (c) => ({
      outcome: "failed",
      final: "start",
      writes: c.op === "read" ? 0 : 1,
      error:
        c.op === "read"
          ? [new RegExp(c.clusterId), /no answer .* within timeoutSeconds \(2 s\)/, /nothing was changed/]
          : [new RegExp(c.clusterId), /before the deadline/, new RegExp(`a ${c.op} call was sent`)],
    }),
  },
  {
    name: "response hangs after the cloud acted (timeoutSeconds 2)",
    ops: WRITES,
    timeoutSeconds: 2,
    rules: (c) => [{ cloud: c.kit.cloud, action: action(c), clusterId: c.clusterId, fault: { kind: "hang" }, when: "after" }],
    expect: (c) => ({
      outcome: "failed",
      final: "target",
      writes: 1,
      // The call's answer never came: the error says so instead of only "last seen running".
      error: [new RegExp(c.clusterId), /before the deadline/, new RegExp(`a ${c.op} call was sent but its answer never arrived`)],
    }),
  },
  {
    name: "operation accepted, then fails in the cloud (Tencent failed flow; Zilliz never applied)",
    ops: WRITES,
    rules: (c) => [{ cloud: c.kit.cloud, action: action(c), clusterId: c.clusterId, fault: { kind: "flow-failed" } }],
    expect: (c) =>
      isTencent(c)
        ? { outcome: "partial", final: "start", writes: 1, error: [/failed in the cloud/, /flow \d+/, REQUEST_ID, new RegExp(c.clusterId)] }
        : // Zilliz has no job to ask: after the grace reads show nothing happening, the write is sent again.
          { outcome: "converged", final: "target", writes: 2 },
  },
  {
    name: "cluster deleted while waiting",
    ops: ALL,
    during: async (c) => {
      if (c.op !== "read") await writeAccepted(c.emulator, c.kit, c.clusterId);
      c.kit.remove(c.emulator, c.clusterId);
    },
    expect: (c) =>
      c.op === "read"
        ? { outcome: "gone", final: "gone", writes: 0 }
        : {
            outcome: "partial",
            final: "gone",
            writes: 1,
            error: [isTencent(c) ? /ClusterNotFound/ : /\[96018\]/, REQUEST_ID, new RegExp(c.clusterId)],
          },
  },
];

/** A status that stays in transition past the deadline (the emulator's transitions take a minute here). */
const STUCK: Scenario = {
  name: "status stuck until the deadline (timeoutSeconds 2)",
  ops: WRITES,
  timeoutSeconds: 2,
  // A minute passes: the emulator's clock moves on. Four cases add up to about 4 minutes, inside
  // Tencent's 5-minute signature window.
  heal: (c) => c.emulator.setClockOffsetMs((stuckOffsetMs += STUCK_TRANSITION_MS + 1000)),
  expect: (c) => ({
    outcome: "partial",
    final: "moving",
    writes: 1,
    error: [new RegExp(c.clusterId), /before the deadline/, /may still complete/, REQUEST_ID],
  }),
};
const STUCK_TRANSITION_MS = 60_000;
let stuckOffsetMs = 0;

/** Keys that stop working: Tencent temporary keys expire, a Zilliz key is revoked. */
const EXPIRED: Scenario = {
  name: "credentials expire mid-run (Tencent temporary key / Zilliz key revoked)",
  ops: ALL,
  before: (c) => {
    if (c.op === "read") expire(c);
  },
  during: async (c) => {
    if (c.op === "read") return;
    await writeAccepted(c.emulator, c.kit, c.clusterId);
    expire(c);
  },
  heal: (c) => {
    if (isTencent(c)) c.emulator.part("tencentcloud").addKey(canaryTencentKey({ token: CANARY.tencentToken }));
    else c.emulator.part("zillizcloud").addApiKey(CANARY.zillizApiKey);
  },
  expect: (c) => ({
    outcome: c.op === "read" ? "failed" : "partial",
    final: c.op === "read" ? "start" : "target",
    writes: c.op === "read" ? 0 : 1,
    error: [isTencent(c) ? /\[AuthFailure\.TokenFailure\]/ : /\[21119\]/, REQUEST_ID, new RegExp(c.clusterId)],
  }),
};

function expire(c: CaseContext): void {
  if (isTencent(c)) c.emulator.part("tencentcloud").addKey(canaryTencentKey({ token: CANARY.tencentToken, expiresAt: Date.now() - 1 }));
  else c.emulator.part("zillizcloud").revokeApiKey(CANARY.zillizApiKey);
}

const SKEW_MS = 6 * 60_000;
/** This machine's clock is six minutes off: TC3 signatures expire; Zilliz's bearer keys do not care. */
const SKEWED: Scenario = {
  name: "clock skew of 6 minutes",
  ops: ALL,
  before: (c) => c.emulator.setClockOffsetMs(SKEW_MS),
  heal: (c) => c.emulator.setClockOffsetMs(0),
  expect: (c) =>
    isTencent(c)
      ? {
          outcome: "failed",
          final: "start",
          writes: 0,
          error: [/\[AuthFailure\.SignatureExpire\]/, /clock/, REQUEST_ID, new RegExp(c.clusterId)],
        }
      : { outcome: "converged", final: c.op === "read" ? "start" : "target", writes: c.op === "read" ? 0 : 1 },
};

interface Group {
  emulator: Emulator;
  host: RunningHost;
  shim: string;
  settleMs: number;
}

const results = new Map<string, CaseResult>();
/** Records of the in-process and burst cases (the host cases keep theirs in `results`). */
const extraRecords: ReliabilityRecord[] = [];
/** Everything a user could see, for the canary scan. */
const texts: Record<string, string> = {};
const key = (s: Scenario, kit: CloudKit, op: Op) => `${s.name}|${kit.cloud}|${op}`;
const groups: Group[] = [];

async function startGroup(transitionMs: number, options: { token?: boolean; rateLimit?: number } = {}): Promise<Group> {
  const emulator = await startCanaryEmulator({
    transitionMs,
    rateLimit: options.rateLimit,
    tencent: { keys: [canaryTencentKey(options.token ? { token: CANARY.tencentToken } : {})], clusters: [] },
  });
  const host = await startCanaryHost(emulator, {
    config: canaryConfig(emulator, options.token ? { "tencentcloud:securityToken": CANARY.tencentToken } : {}),
  });
  const group = { emulator, host, shim: await shim(), settleMs: Math.min(transitionMs, 1000) + 150 };
  groups.push(group);
  return group;
}

function cases(scenario: Scenario): Array<[CloudKit, Op]> {
  return KITS.filter((k) => !scenario.clouds || scenario.clouds.includes(k.cloud)).flatMap((kit) => scenario.ops.map((op): [CloudKit, Op] => [kit, op]));
}

beforeAll(async () => {
  const shared = await startGroup(300);
  const stuck = await startGroup(STUCK_TRANSITION_MS);
  // Slower transitions: the keys must stop working while the cluster is still moving.
  const expired = await startGroup(800, { token: true });
  const skewed = await startGroup(300);
  const sequential = async (group: Group, scenario: Scenario) => {
    for (const [kit, op] of cases(scenario)) results.set(key(scenario, kit, op), await runCase(group, kit, op, scenario));
  };
  const alone = (s: Scenario, op: Op) => s.readAlone === true && op === "read";
  await Promise.all([
    (async () => {
      await Promise.all(SHARED.flatMap((s) => cases(s).filter(([, op]) => !alone(s, op)).map(async ([kit, op]) => results.set(key(s, kit, op), await runCase(shared, kit, op, s)))));
      for (const s of SHARED) for (const [kit, op] of cases(s).filter(([, o]) => alone(s, o))) results.set(key(s, kit, op), await runCase(shared, kit, op, s));
    })(),
    // Each of these changes the whole emulator (clock, keys): one case at a time.
    sequential(stuck, STUCK),
    sequential(expired, EXPIRED),
    sequential(skewed, SKEWED),
  ]);
}, 120_000);

/**
 * The provider host keeps the drivers' production request timeouts (60 s Tencent, 65 s Zilliz), so
 * a response that hangs past the request timeout is driven in-process: the same drivers and the
 * same transition engine, with a 300 ms request timeout.
 */
const REQUEST_TIMEOUT_MS = 300;
const HANG_PAST_TIMEOUT = "response hangs past the request timeout (300 ms; driver in-process)";
const timeoutCases: Array<{ kit: CloudKit; op: Op; when: "before" | "after"; writes: number }> = KITS.flatMap((kit) => [
  { kit, op: "read" as Op, when: "before" as const, writes: 0 },
  // Unanswered, so maybe applied: read first, then (grace reads showing no change) write again.
  { kit, op: "pause" as Op, when: "before" as const, writes: 2 },
  { kit, op: "resume" as Op, when: "before" as const, writes: 2 },
  // Applied, answer lost: the reads show it happening, so no second write.
  { kit, op: "pause" as Op, when: "after" as const, writes: 1 },
  { kit, op: "resume" as Op, when: "after" as const, writes: 1 },
]);

describe(HANG_PAST_TIMEOUT, () => {
  // Each case has its own cluster: they run side by side.
  it.concurrent.for(timeoutCases.map((c) => ({ ...c, label: `${c.kit.cloud} ${c.op} (hang ${c.when} the cloud acts)` })))("$label", async ({ kit, op, when, writes }, { expect }) => {
    const { emulator } = groups[0];
    const endpoint = emulator.url;
    const fast = { retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 40 }, requestTimeoutMs: REQUEST_TIMEOUT_MS };
    const settings: DriverSettings =
      kit.cloud === "tencentcloud"
        ? { cloud: "tencentcloud", region: "ap-guangzhou", endpoint, credentials: { secretId: CANARY.tencentSecretId, secretKey: CANARY.tencentSecretKey }, ...fast }
        : { cloud: "zillizcloud", endpoint, apiKey: CANARY.zillizApiKey, ...fast };
    const driver = createDriver(settings);
    const start = op === "resume" ? "paused" : "running";
    const target = op === "pause" ? "paused" : "running";
    const clusterId = kit.newCluster(emulator, start);
    emulator.faults.push({ cloud: kit.cloud, action: op === "read" ? kit.describeAction : kit.writeAction[op], clusterId, fault: { kind: "hang" }, when });
    let observed: string;
    let error = "";
    try {
      if (op === "read") observed = (await driver.describe(clusterId)).power;
      else {
        const policy = { firstDelayMs: 20, factor: 2, maxDelayMs: 100, graceReads: 3, operationStatusEvery: 3, maxWrites: 3 };
        observed = (await transition(driver, clusterId, target, { wait: true, deadline: Date.now() + 15_000, policy })).snapshot.power;
      }
    } catch (e) {
      observed = "error";
      error = (e as Error).message;
    }
    await sleep(400);
    const live = kit.live(emulator, clusterId);
    const calls = writeCalls(emulator, kit, clusterId);
    extraRecords.push({
      kind: "fault",
      cloud: kit.cloud,
      operation: op === "read" ? "read (refresh)" : op,
      name: `${HANG_PAST_TIMEOUT}${when === "after" ? ", after the cloud acted" : ""}`,
      outcome: error ? "failed" : op === "read" ? "refreshed" : "converged",
      finalState: live,
      recorded: `observed ${observed}`,
      error: error || undefined,
      writeCalls: calls,
    });
    expect(error).toBe("");
    expect(observed).toBe(op === "read" ? start : target);
    expect(live).toBe(op === "read" ? start : target);
    expect(calls).toBe(writes);
    // The hung request was cut at the request timeout and tried again (reads) or re-read (writes).
    expect(emulator.log.count({ cloud: kit.cloud, clusterId, outcome: "hang" })).toBe(1);
  });
});


/**
 * A real burst rather than injected refusals: the cloud admits only 5 requests per second (say,
 * other tools share the key) while 10 clusters per cloud are paused at once through one host.
 */
const BURST = { clusters: 10, cloudLimit: 5 };
describe(`rate-limit burst for real (the cloud admits ${BURST.cloudLimit}/s; ${BURST.clusters} pauses per cloud at once)`, () => {
  it.concurrent.for(KITS)("$cloud: every pause converges, refused calls are retried, no cluster gets a second accepted call", async (kit, { expect }) => {
    const group = await startGroup(300, { rateLimit: BURST.cloudLimit });
    const { emulator } = group;
    const ids = Array.from({ length: BURST.clusters }, () => kit.newCluster(emulator, "running"));
    const engine = new Engine(group.host.host);
    const steps = await engine.up(ids.map((id, i) => resource(`burst-${kit.cloud}-${i}`, { ...kit.inputs(id), timeoutSeconds: 30 }, group.shim)));
    await sleep(group.settleMs);
    const refused = emulator.log.entries.filter((e) => e.cloud === kit.cloud && (e.outcome === "RequestLimitExceeded" || e.outcome === "RateLimited")).length;
    const errors = steps.filter((s) => s.error).map((s) => s.error!.details);
    for (const id of ids) {
      // Refused calls never happened; exactly one pause was accepted per cluster.
      expect(emulator.log.count({ cloud: kit.cloud, clusterId: id, action: kit.writeAction.pause, outcome: "ok" }), id).toBe(1);
      expect(kit.live(emulator, id), id).toBe("paused");
    }
    expect(errors).toEqual([]);
    expect(refused).toBeGreaterThan(0);
    extraRecords.push({
      kind: "fault",
      cloud: kit.cloud,
      operation: "pause",
      name: `rate-limit burst for real (cloud admits ${BURST.cloudLimit}/s, ${BURST.clusters} pauses at once)`,
      outcome: `converged ${BURST.clusters}/${BURST.clusters}: ${BURST.clusters} pause calls accepted, ${refused} requests refused and retried`,
      finalState: "paused",
      recorded: `outputs: observedState=paused (all ${BURST.clusters})`,
      count: BURST.clusters,
    });
    texts[`burst ${kit.cloud}`] = JSON.stringify(steps);
  });
});


afterAll(async () => {
  // The canary scan covers every host's output and every emulator's request log.
  for (const [i, g] of groups.entries()) {
    texts[`host ${i} stdout/stderr`] = g.host.host.logs();
    texts[`emulator ${i} request log (outside Authorization and X-TC-Token)`] = requestLogText(g.emulator);
  }
  for (const r of results.values()) Object.assign(texts, r.texts);
  const found = findCanaries(texts);
  recorder.scanned(Object.keys(texts).length, found);
  // In scenario order, whatever order the concurrent cases finished in.
  for (const scenario of [...SHARED, STUCK, EXPIRED, SKEWED]) {
    for (const [kit, op] of cases(scenario)) {
      const r = results.get(key(scenario, kit, op));
      if (r) recorder.add(r.record);
    }
  }
  for (const r of extraRecords) recorder.add(r);
  recorder.figure("fault cases through the provider host", results.size);
  recorder.figure("fault cases in-process (request timeout)", extraRecords.filter((r) => r.name.includes("in-process")).length);
  recorder.figure("real rate-limit bursts", extraRecords.filter((r) => r.name.includes("for real")).length);
  recorder.save();
  await Promise.all(groups.map(async (g) => {
    await g.host.host.stop();
    await g.emulator.stop();
  }));
  expect(found).toEqual([]);
  // No crash, unhandled rejection or programming error in any host, whatever was injected. (The
  // host itself prints each failed Read with its stack; that is Pulumi's logging, not a crash.)
  for (const g of groups) expect(g.host.host.logs()).not.toMatch(HOST_TROUBLE);
});

describe.each([...SHARED, STUCK, EXPIRED, SKEWED])("$name", (scenario) => {
  it.each(cases(scenario).map(([kit, op]) => ({ kit, op, label: `${kit.cloud} ${op}` })))("$label", ({ kit, op }) => {
    const r = results.get(key(scenario, kit, op));
    expect(r, "case ran").toBeDefined();
    const c: CaseContext = { emulator: groups[0].emulator, kit, op, clusterId: r!.clusterId };
    const e = scenario.expect(c);
    const summary = JSON.stringify({ ...r, texts: undefined, recorded: { ...r!.recorded, __provider: undefined } });

    expect(r!.live, summary).toBeOneOf(expectedLive(e, r!, op));
    expect(r!.writes, summary).toBe(e.writes);
    switch (e.outcome) {
      case "converged":
        expect(r!.errorText, summary).toBe("");
        expect(r!.recorded?.observedState, summary).toBe(op === "read" ? r!.start : r!.target);
        break;
      case "partial":
        expect(r!.initFailed, summary).toBe(true);
        expect(r!.partialId, summary).toBe(r!.clusterId);
        // The accepted call is never forgotten: its RequestId and operation are in state.
        expect(r!.recorded, summary).toMatchObject({ lastOperation: op, clusterId: r!.clusterId });
        expect(typeof r!.recorded?.requestId, summary).toBe("string");
        break;
      case "failed":
        expect(r!.errorText, summary).not.toBe("");
        expect(r!.initFailed, summary).toBe(false);
        if (op === "read") expect(r!.recorded?.observedState, summary).toBe(r!.start);
        else expect(r!.recorded, summary).toBeUndefined();
        break;
      case "gone":
        expect(r!.gone, summary).toBe(true);
        expect(r!.recorded, summary).toBeUndefined();
        break;
    }
    for (const pattern of e.error ?? []) expect(r!.errorText, summary).toMatch(pattern);

    const f = r!.followUp!;
    if (f.liveBefore === "gone") {
      // Refresh drops a resource whose cluster is gone; nothing else is called.
      if (e.outcome !== "gone") expect(f.leftState, summary).toBe(true);
      expect(f.writesAfter, summary).toBe(f.writesBefore);
      return;
    }
    // The follow-up (fault gone): refresh reports the truth, up converges, and a cluster already
    // at its target gets no second write.
    expect(f.error, summary).toBeUndefined();
    const target = op === "read" ? r!.start : r!.target;
    // allowAutoPause (default true): once a resource has reached "running", a paused Tencent
    // serverless cluster satisfies it (it wakes on the first connection), so up's Diff leaves it
    // paused and says so in observedState. A change that never got there (a partial result keeps
    // the powerState it last reached) is still pending, and up makes it.
    const autoPaused = kit.cloud === "tencentcloud" && target === "running" && f.liveBefore === "paused" && r!.recorded?.powerState === "running";
    const satisfied = autoPaused ? "paused" : target;
    expect(f.live, summary).toBe(satisfied);
    expect(f.observed, summary).toBe(satisfied);
    expect(f.writesAfter - f.writesBefore, summary).toBe(f.liveBefore === satisfied ? 0 : 1);
  });
});
