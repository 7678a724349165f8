import { afterEach, describe, expect, it, vi } from "vitest";
import { TransitionError, CloudApiError } from "../src/core/errors";
import { TransportError } from "../src/core/http";
import type { CloudDriver, ClusterSnapshot, PowerState, WriteReceipt } from "../src/core/power";
import { decide, nextPollAt, pollDelay, transition, DEFAULT_WAIT_POLICY, scaledPolicy, type WaitPolicy } from "../src/core/transition";

const snap = (power: PowerState, extra: Partial<ClusterSnapshot> = {}): ClusterSnapshot => ({
  clusterId: "c1",
  power,
  rawStatus: `raw-${power}`,
  ...extra,
});

describe("decide", () => {
  it("covers every observed state for both targets", () => {
    const table: Array<[PowerState, "running" | "paused", string]> = [
      ["running", "running", "done"],
      ["paused", "paused", "done"],
      ["running", "paused", "write:pause"],
      ["paused", "running", "write:resume"],
      ["pausing", "paused", "wait"],
      ["resuming", "running", "wait"],
      ["resuming", "paused", "wait"],
      ["pausing", "running", "wait"],
      ["unknown", "paused", "wait"],
    ];
    for (const [power, target, expected] of table) {
      const d = decide(snap(power), target);
      const got = d.kind === "write" ? `write:${d.operation}` : d.kind;
      expect(got, `${power} -> ${target}`).toBe(expected);
    }
  });

  it("fails before anything else when the cluster cannot be driven or is broken", () => {
    expect(decide(snap("running", { unsupportedReason: "NORMAL mode" }), "paused")).toMatchObject({ kind: "fail", reason: "unsupported" });
    expect(decide(snap("paused", { failureReason: "ABNORMAL" }), "paused")).toMatchObject({ kind: "fail", reason: "failed-state" });
  });
});

describe("pollDelay", () => {
  it("grows geometrically and is capped", () => {
    const delays = Array.from({ length: 12 }, (_, i) => pollDelay(i, DEFAULT_WAIT_POLICY));
    expect(delays[0]).toBe(DEFAULT_WAIT_POLICY.firstDelayMs);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]);
    expect(Math.max(...delays)).toBe(DEFAULT_WAIT_POLICY.maxDelayMs);
  });

  it("scales with the time scale", () => {
    const p = scaledPolicy(DEFAULT_WAIT_POLICY, 0.01);
    expect(pollDelay(0, p)).toBe(DEFAULT_WAIT_POLICY.firstDelayMs * 0.01);
    expect(scaledPolicy(DEFAULT_WAIT_POLICY, 1)).toBe(DEFAULT_WAIT_POLICY);
  });
});

describe("nextPollAt", () => {
  it("keeps to the schedule from the write, whatever the calls cost", () => {
    expect(nextPollAt(1000, 500, 1040)).toBe(1500);
    expect(nextPollAt(1500, 1000, 1530)).toBe(2500);
  });

  it("polls at once after a call that overran its gap, and goes on from there without a burst", () => {
    expect(nextPollAt(1000, 500, 1800)).toBe(1800);
    expect(nextPollAt(1800, 1000, 1810)).toBe(2800);
  });
});

describe("poll instants", () => {
  afterEach(() => vi.useRealTimers());

  it("land on the write's schedule even though every read takes 40 ms and one takes 900 ms", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const policy: WaitPolicy = { ...DEFAULT_WAIT_POLICY, firstDelayMs: 100, factor: 2, maxDelayMs: 400 };
    const d = new ScriptedDriver(["running", ...Array<PowerState>(8).fill("pausing"), "paused"]);
    const t0 = Date.now();
    let writeAt = NaN;
    const readsAt: number[] = [];
    d.onWrite = () => (writeAt = Date.now() - t0);
    const describe = d.describe.bind(d);
    d.describe = async () => {
      readsAt.push(Date.now() - t0);
      const latency = readsAt.length === 5 ? 900 : 40;
      await new Promise((resolve) => setTimeout(resolve, latency));
      return describe();
    };
    const run = transition(d, "c1", "paused", { wait: true, deadline: Date.now() + 60_000, policy });
    await vi.runAllTimersAsync();
    await expect(run).resolves.toMatchObject({ reachedTarget: true });
    const afterWrite = readsAt.slice(1).map((at) => at - writeAt);
    // 100, 200, 400, then 400 ms gaps from the write; the 4th poll's read (at 1100) overran its
    // gap, so the 5th comes as it returns (2000) and the schedule goes on from there.
    expect(afterWrite).toEqual([100, 300, 700, 1100, 2000, 2400, 2800, 3200, 3600]);
  });
});

/** A driver whose cluster follows a script: each describe pops the next state (the last one repeats). */
class ScriptedDriver implements CloudDriver {
  readonly cloud = "tencentcloud" as const;
  readonly scope = "test";
  writes: string[] = [];
  reads = 0;
  flowStatus: "running" | "succeeded" | "failed" = "running";
  writeError?: unknown;
  onWrite?: () => void;
  constructor(private states: PowerState[]) {}
  async describe(): Promise<ClusterSnapshot> {
    this.reads++;
    const power = this.states.length > 1 ? this.states.shift()! : this.states[0];
    return snap(power);
  }
  async write(op: "pause" | "resume"): Promise<WriteReceipt> {
    this.writes.push(op);
    this.onWrite?.();
    if (this.writeError) {
      const e = this.writeError;
      this.writeError = undefined;
      throw e;
    }
    return { operation: op, requestId: `req-${this.writes.length}`, flowId: 100 + this.writes.length };
  }
  async operationStatus() {
    return this.flowStatus;
  }
  isStateConflict(error: unknown) {
    return error instanceof CloudApiError && error.code === "OperationDenied.ServerlessClusterStatusDenied";
  }
  setStates(states: PowerState[]) {
    this.states = states;
  }
}

const fast: WaitPolicy = { ...DEFAULT_WAIT_POLICY, firstDelayMs: 1, maxDelayMs: 2 };
const opts = (extra: Partial<Parameters<typeof transition>[3]> = {}) => ({
  wait: true,
  deadline: Date.now() + 5000,
  policy: fast,
  ...extra,
});

describe("transition", () => {
  it("makes no write call when the cluster is already at the target", async () => {
    const d = new ScriptedDriver(["paused"]);
    const r = await transition(d, "c1", "paused", opts());
    expect(r).toMatchObject({ reachedTarget: true, writeCalls: 0, receipt: undefined });
    expect(d.writes).toEqual([]);
  });

  it("writes once and waits through the transitional state", async () => {
    const d = new ScriptedDriver(["running", "running", "pausing", "pausing", "paused"]);
    const r = await transition(d, "c1", "paused", opts());
    expect(d.writes).toEqual(["pause"]);
    expect(r.reachedTarget).toBe(true);
    expect(r.receipt).toMatchObject({ operation: "pause", flowId: 101 });
    expect(r.snapshot.power).toBe("paused");
  });

  it("reports an accepted write at once, before the wait", async () => {
    const d = new ScriptedDriver(["running", "pausing", "pausing", "paused"]);
    const seen: string[] = [];
    await transition(d, "c1", "paused", opts({ onWrite: (r) => seen.push(`${r.operation}@${d.reads}`), onProgress: (s) => seen.push(s.power) }));
    expect(seen).toEqual(["running", "pause@1", "pausing", "pausing", "paused"]);
  });

  it("waits for a transition already under way instead of writing", async () => {
    const d = new ScriptedDriver(["resuming", "resuming", "running"]);
    const r = await transition(d, "c1", "running", opts());
    expect(d.writes).toEqual([]);
    expect(r.reachedTarget).toBe(true);
  });

  it("lets a transition the other way settle, then writes", async () => {
    const d = new ScriptedDriver(["resuming", "running", "pausing", "paused"]);
    await transition(d, "c1", "paused", opts());
    expect(d.writes).toEqual(["pause"]);
  });

  it("re-reads and decides again when the write is refused because of the cluster's state", async () => {
    const d = new ScriptedDriver(["running"]);
    d.writeError = new CloudApiError({ cloud: "tencentcloud", code: "OperationDenied.ServerlessClusterStatusDenied", message: "x", action: "PauseServerless" });
    d.onWrite = () => d.setStates(["pausing", "paused"]);
    const r = await transition(d, "c1", "paused", opts());
    expect(d.writes).toEqual(["pause"]);
    expect(r.reachedTarget).toBe(true);
  });

  it("never re-sends a write whose response was lost when the cluster shows it took", async () => {
    const d = new ScriptedDriver(["running"]);
    d.writeError = new TransportError("socket hang up", "network", true);
    d.onWrite = () => d.setStates(["pausing", "paused"]);
    const r = await transition(d, "c1", "paused", opts());
    expect(d.writes).toEqual(["pause"]);
    expect(r.reachedTarget).toBe(true);
  });

  it("re-sends after a lost response only once grace reads show the write did not take", async () => {
    const d = new ScriptedDriver(["running"]);
    d.writeError = new TransportError("socket hang up", "network", true);
    let n = 0;
    d.onWrite = () => {
      if (++n === 2) d.setStates(["pausing", "paused"]);
    };
    const r = await transition(d, "c1", "paused", opts());
    expect(d.writes).toEqual(["pause", "pause"]);
    expect(d.reads).toBeGreaterThan(1 + fast.graceReads);
    expect(r.reachedTarget).toBe(true);
  });

  it("fails with the cloud error and no partial receipt when the write is rejected", async () => {
    const d = new ScriptedDriver(["running"]);
    d.writeError = new CloudApiError({ cloud: "tencentcloud", code: "UnauthorizedOperation.PermissionDenied", message: "CAM denied", action: "PauseServerless", requestId: "rid-9" });
    const err = await transition(d, "c1", "paused", opts()).catch((e) => e);
    expect(err).toBeInstanceOf(TransitionError);
    expect(err.reason).toBe("cloud-error");
    expect(err.message).toContain("UnauthorizedOperation.PermissionDenied");
    expect(err.message).toContain("rid-9");
    expect(err.partial.receipt).toBeUndefined();
  });

  it("fails at the deadline carrying the receipt of the accepted write", async () => {
    const d = new ScriptedDriver(["running", "pausing"]);
    const err = await transition(d, "c1", "paused", opts({ deadline: Date.now() + 150 })).catch((e) => e);
    expect(err).toBeInstanceOf(TransitionError);
    expect(err.reason).toBe("deadline");
    expect(err.partial.receipt).toMatchObject({ operation: "pause", requestId: "req-1" });
    expect(err.partial.lastSnapshot.power).toBe("pausing");
    expect(err.message).toContain("may still complete");
  });

  it("fails fast when the cloud reports the operation failed", async () => {
    const d = new ScriptedDriver(["running"]);
    d.onWrite = () => {
      d.flowStatus = "failed";
    };
    const err = await transition(d, "c1", "paused", opts()).catch((e) => e);
    expect(err.reason).toBe("operation-failed");
    expect(err.partial.receipt.flowId).toBe(101);
    expect(d.writes).toEqual(["pause"]);
  });

  it("treats a still-running operation as lag, not as a lost write", async () => {
    // A list view that shows only steady states: "running" until the pause completes.
    const states: PowerState[] = Array(15).fill("running");
    const d = new ScriptedDriver([...states, "paused"]);
    const r = await transition(d, "c1", "paused", opts());
    expect(d.writes).toEqual(["pause"]);
    expect(r.reachedTarget).toBe(true);
  });

  it("without wait, returns after the write with what the cloud reports", async () => {
    const d = new ScriptedDriver(["running", "pausing"]);
    const r = await transition(d, "c1", "paused", opts({ wait: false }));
    expect(d.writes).toEqual(["pause"]);
    expect(r).toMatchObject({ reachedTarget: false, snapshot: { power: "pausing" } });
  });

  it("fails before any write for a cluster the API cannot drive", async () => {
    const d = new ScriptedDriver(["running"]);
    d.describe = async () => snap("running", { unsupportedReason: "cluster is NORMAL (provisioned), not SERVERLESS" });
    const err = await transition(d, "c1", "paused", opts()).catch((e) => e);
    expect(err.reason).toBe("unsupported");
    expect(d.writes).toEqual([]);
  });

  it("accepts a deadline that is not a whole millisecond away", async () => {
    const d = new ScriptedDriver(["running", "pausing", "paused"]);
    const r = await transition(d, "c1", "paused", opts({ deadline: Date.now() + 5000.5 }));
    expect(r.reachedTarget).toBe(true);
  });

  it("stops when the caller aborts", async () => {
    const d = new ScriptedDriver(["running", "pausing"]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const err = await transition(d, "c1", "paused", opts({ signal: ac.signal, policy: { ...fast, firstDelayMs: 10, maxDelayMs: 10 } })).catch((e) => e);
    expect(err.reason).toBe("aborted");
    expect(err.partial.receipt).toBeDefined();
  });
});
