import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ServerlessStrategy } from "../src/clouds/tencent/emulator";
import { DIFF, ProviderCallError, startHarness, UNKNOWN_VALUE, type Harness, type Props } from "./harness/provider-harness";

/**
 * Tencent's auto-pause policy declared in the stack (autoPause, autoPauseDelaySeconds), through
 * Pulumi's real dynamic-provider host against the emulator: the exact strategy calls in the
 * emulator's request log, and the bodies of every ModifyServerlessStrategy sent.
 */

const ID = "cynosdbmysql-9tq4rb6c";
const BASE: Props = { cloud: "tencentcloud", clusterId: ID, region: "ap-guangzhou" };
const STRATEGY_ACTIONS = ["DescribeServerlessStrategy", "ModifyServerlessStrategy"];
/** The only fields a ModifyServerlessStrategy of ours may carry: never MinCpu, MaxCpu or the others. */
const MANAGED_FIELDS = ["ClusterId", "AutoPause", "AutoPauseDelay"];

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});
afterEach(() => {
  h.emulator.faults.clear();
  // Whatever a test did, every policy change we ever sent carried the managed fields only.
  for (const entry of h.emulator.log.find({ action: "ModifyServerlessStrategy" })) {
    expect(Object.keys(JSON.parse(entry.body)).filter((k) => !MANAGED_FIELDS.includes(k))).toEqual([]);
  }
});

const tencent = () => h.emulator.part("tencentcloud");

function reset(power: "running" | "paused", strategy: Partial<ServerlessStrategy> = {}): void {
  tencent().addCluster({ clusterId: ID, region: "ap-guangzhou", serverlessStatus: power === "paused" ? "pause" : "resume", strategy: { MinCpu: 1, MaxCpu: 4, ...strategy } });
  h.emulator.log.clear();
}

/** This cluster's calls of the given actions, in order. */
function calls(actions: string[] = STRATEGY_ACTIONS): string[] {
  return h.emulator.log.find({ action: actions, clusterId: ID }).map((e) => e.action);
}

function modifyBodies(): Array<Record<string, unknown>> {
  return h.emulator.log.find({ action: "ModifyServerlessStrategy", clusterId: ID }).map((e) => JSON.parse(e.body) as Record<string, unknown>);
}

async function create(name: string, inputs: Props) {
  const checked = await h.host.check(h.urn(name), {}, { ...inputs, __provider: h.shim });
  expect(checked.failures).toEqual([]);
  const created = await h.host.create(h.urn(name), checked.inputs, Number(checked.inputs.timeoutSeconds));
  return { inputs: checked.inputs, ...created };
}

/** One `pulumi up` of changed program inputs: Check, Diff, then Update when Diff says so. */
async function up(name: string, state: { inputs: Props; outputs: Props }, program: Props) {
  const news = (await h.host.check(h.urn(name), state.inputs, { ...program, __provider: h.shim })).inputs;
  const diff = await h.host.diff(h.urn(name), ID, state.outputs, news, state.inputs);
  if (diff.changes !== DIFF.SOME) return { diff, inputs: news, outputs: state.outputs };
  const updated = await h.host.update(h.urn(name), ID, state.outputs, news, state.inputs);
  return { diff, inputs: news, outputs: updated.outputs };
}

describe("autoPause / autoPauseDelaySeconds through the dynamic-provider host", () => {
  it("unset: not managed, and no strategy call at all through create, refresh, update and destroy", async () => {
    reset("running");
    const created = await create("unmanaged", { ...BASE, onDelete: "resume" });
    const read = await h.host.read(h.urn("unmanaged"), ID, created.outputs, created.inputs);
    const flipped = await up("unmanaged", { inputs: created.inputs, outputs: read.outputs }, { ...BASE, onDelete: "resume", powerState: "running" });
    await h.host.delete(h.urn("unmanaged"), ID, flipped.outputs, flipped.inputs);
    expect(calls(["PauseServerless", "ResumeServerless"])).toEqual(["PauseServerless", "ResumeServerless"]);
    expect(calls()).toEqual([]);
    expect(Object.keys(flipped.outputs).filter((k) => /autoPause/i.test(k) && k !== "allowAutoPause")).toEqual([]);
  });

  it("setting, changing and unsetting make exactly the expected strategy calls, each with the managed fields only", async () => {
    reset("running");
    // Set: one read, one change, before the pause.
    const created = await create("lifecycle", { ...BASE, autoPause: false });
    expect(calls([...STRATEGY_ACTIONS, "PauseServerless"])).toEqual(["DescribeServerlessStrategy", "ModifyServerlessStrategy", "PauseServerless"]);
    expect(modifyBodies()).toEqual([{ ClusterId: ID, AutoPause: "no" }]);
    expect(created.outputs).toMatchObject({ autoPause: false, observedAutoPause: false, observedAutoPauseDelaySeconds: 600, observedState: "paused" });
    expect(created.outputs.autoPauseTaskId).toEqual(expect.any(Number));
    expect(created.outputs.autoPauseRequestId).toEqual(expect.any(String));
    expect(created.outputs).not.toHaveProperty("autoPauseDelaySeconds");
    expect(tencent().getStrategy(ID)).toMatchObject({ AutoPause: "no", AutoPauseDelay: 600, MinCpu: 1, MaxCpu: 4 });

    // The same program again: no change, no call.
    h.emulator.log.clear();
    const same = await up("lifecycle", created, { ...BASE, autoPause: false });
    expect(same.diff.changes).toBe(DIFF.NONE);
    expect(h.emulator.log.count()).toBe(0);

    // Change the delay only: an update with one read and one change, and no power call.
    const delayed = await up("lifecycle", same, { ...BASE, autoPause: false, autoPauseDelaySeconds: 7200 });
    expect(delayed.diff).toMatchObject({ changes: DIFF.SOME, replaces: [] });
    expect(h.emulator.log.find({ clusterId: ID }).map((e) => e.action)).toEqual(["DescribeServerlessStrategy", "ModifyServerlessStrategy"]);
    expect(modifyBodies()).toEqual([{ ClusterId: ID, AutoPauseDelay: 7200 }]);
    expect(delayed.outputs).toMatchObject({ observedAutoPause: false, observedAutoPauseDelaySeconds: 7200, observedState: "paused", lastOperation: "pause" });
    expect(delayed.outputs.autoPauseTaskId).not.toBe(created.outputs.autoPauseTaskId);
    expect(tencent().getStrategy(ID)).toMatchObject({ AutoPause: "no", AutoPauseDelay: 7200, MinCpu: 1, MaxCpu: 4 });

    // Unset both: no longer managed; the update makes no call and the observed values leave the outputs.
    h.emulator.log.clear();
    const unset = await up("lifecycle", delayed, BASE);
    expect(unset.diff.changes).toBe(DIFF.SOME);
    expect(h.emulator.log.count()).toBe(0);
    expect(unset.outputs).not.toHaveProperty("observedAutoPause");
    expect(unset.outputs).not.toHaveProperty("observedAutoPauseDelaySeconds");
    // The record of the last change this resource made stays, like a pause's flowId.
    expect(unset.outputs.autoPauseTaskId).toBe(delayed.outputs.autoPauseTaskId);
    expect(tencent().getStrategy(ID)).toMatchObject({ AutoPause: "no", AutoPauseDelay: 7200 });
    // ... and a refresh of the unmanaged resource reads no policy either.
    await h.host.read(h.urn("lifecycle"), ID, unset.outputs, unset.inputs);
    expect(calls()).toEqual([]);
  });

  it("a cluster that already has the declared policy gets one read and no change", async () => {
    reset("paused", { AutoPause: "yes", AutoPauseDelay: 1800 });
    const created = await create("already", { ...BASE, autoPause: true, autoPauseDelaySeconds: 1800 });
    expect(calls()).toEqual(["DescribeServerlessStrategy"]);
    expect(created.outputs).toMatchObject({ observedAutoPause: true, observedAutoPauseDelaySeconds: 1800 });
    expect(created.outputs).not.toHaveProperty("autoPauseTaskId");
  });

  it("a change made in the console is drift: refresh finds it, up corrects it without a power call", async () => {
    reset("running");
    const created = await create("drift", { ...BASE, autoPause: false, autoPauseDelaySeconds: 3600 });
    tencent().setStrategy(ID, { AutoPause: "yes", AutoPauseDelay: 600 });
    h.emulator.log.clear();
    const read = await h.host.read(h.urn("drift"), ID, created.outputs, created.inputs);
    expect(calls()).toEqual(["DescribeServerlessStrategy"]);
    expect(read.outputs).toMatchObject({ autoPause: false, observedAutoPause: true, observedAutoPauseDelaySeconds: 600, observedState: "paused" });
    expect((await h.host.diff(h.urn("drift"), ID, read.outputs, created.inputs, created.inputs)).changes).toBe(DIFF.SOME);

    h.emulator.log.clear();
    const corrected = await up("drift", { inputs: created.inputs, outputs: read.outputs }, { ...BASE, autoPause: false, autoPauseDelaySeconds: 3600 });
    expect(calls([...STRATEGY_ACTIONS, "PauseServerless", "ResumeServerless"])).toEqual(["DescribeServerlessStrategy", "ModifyServerlessStrategy"]);
    expect(modifyBodies()).toEqual([{ ClusterId: ID, AutoPause: "no", AutoPauseDelay: 3600 }]);
    expect(corrected.outputs).toMatchObject({ observedAutoPause: false, observedAutoPauseDelaySeconds: 3600 });
    expect(tencent().getStrategy(ID)).toMatchObject({ AutoPause: "no", AutoPauseDelay: 3600, MinCpu: 1, MaxCpu: 4 });

    const again = await h.host.read(h.urn("drift"), ID, corrected.outputs, corrected.inputs);
    expect((await h.host.diff(h.urn("drift"), ID, again.outputs, corrected.inputs, corrected.inputs)).changes).toBe(DIFF.NONE);
  });

  it("a policy change and a power change in one update: the policy first, then the pause", async () => {
    reset("running");
    const created = await create("order", { ...BASE, powerState: "running", autoPause: true });
    expect(calls([...STRATEGY_ACTIONS, "PauseServerless", "ResumeServerless"])).toEqual(["DescribeServerlessStrategy"]);
    h.emulator.log.clear();
    const paused = await up("order", created, { ...BASE, powerState: "paused", autoPause: false });
    expect(calls([...STRATEGY_ACTIONS, "PauseServerless"])).toEqual(["DescribeServerlessStrategy", "ModifyServerlessStrategy", "PauseServerless"]);
    expect(paused.outputs).toMatchObject({ powerState: "paused", observedState: "paused", observedAutoPause: false });
  });

  it("a pause refused after the policy change is a partial result that keeps the change; the next up only pauses", async () => {
    reset("running");
    h.emulator.faults.push({ cloud: "tencentcloud", action: "PauseServerless", fault: { kind: "error", code: "UnauthorizedOperation.PermissionDenied" }, times: 10 });
    const error = (await create("partial", { ...BASE, autoPause: false }).then(() => undefined, (e: unknown) => e)) as InstanceType<typeof ProviderCallError>;
    expect(error).toBeInstanceOf(ProviderCallError);
    const partial = error.initFailed!;
    expect(partial).toBeDefined();
    expect(partial.reasons.join(" ")).toMatch(/UnauthorizedOperation\.PermissionDenied.*auto-pause policy change .*TaskId \d+.*was accepted/);
    expect(partial.properties).toMatchObject({ autoPause: false, observedAutoPause: false, observedState: "running" });
    expect(partial.properties.autoPauseTaskId).toEqual(expect.any(Number));
    expect(partial.properties).not.toHaveProperty("powerState");
    expect(tencent().getStrategy(ID).AutoPause).toBe("no");

    h.emulator.faults.clear();
    h.emulator.log.clear();
    const state = { inputs: partial.properties, outputs: partial.properties };
    const next = await up("partial", state, { ...BASE, autoPause: false });
    expect(next.diff.changes).toBe(DIFF.SOME);
    expect(calls([...STRATEGY_ACTIONS, "PauseServerless"])).toEqual(["DescribeServerlessStrategy", "PauseServerless"]);
    expect(next.outputs).toMatchObject({ powerState: "paused", observedState: "paused", observedAutoPause: false, autoPauseTaskId: partial.properties.autoPauseTaskId });
  });

  it("a refused policy change fails before any pause, and nothing is recorded", async () => {
    reset("running");
    h.emulator.faults.push({ cloud: "tencentcloud", action: "ModifyServerlessStrategy", fault: { kind: "error", code: "UnauthorizedOperation.PermissionDenied" }, times: 10 });
    const error = (await create("refused", { ...BASE, autoPause: false }).then(() => undefined, (e: unknown) => e)) as InstanceType<typeof ProviderCallError>;
    expect(error).toBeInstanceOf(ProviderCallError);
    expect(error.initFailed).toBeUndefined();
    expect(error.details).toContain("UnauthorizedOperation.PermissionDenied");
    expect(error.details).toContain(ID);
    expect(calls(["PauseServerless"])).toEqual([]);
    expect(tencent().getCluster(ID)?.serverlessStatus).toBe("resume");
  });

  it("preview: ranges and the cloud are checked with no API call; unknown values pass and show a change", async () => {
    reset("running");
    const bad = await h.host.check(h.urn("bad"), {}, { ...BASE, autoPause: "yes", autoPauseDelaySeconds: 599, __provider: h.shim });
    expect(bad.failures.map((f) => f.property).sort()).toEqual(["autoPause", "autoPauseDelaySeconds"]);
    expect(bad.failures.find((f) => f.property === "autoPauseDelaySeconds")?.reason).toMatch(/at least 600/);
    const high = await h.host.check(h.urn("bad"), {}, { ...BASE, autoPauseDelaySeconds: 691201, __provider: h.shim });
    expect(high.failures.map((f) => f.reason)).toEqual([expect.stringMatching(/^autoPauseDelaySeconds must be at most 691200/)]);

    const zilliz = await h.host.check(h.urn("zilliz"), {}, { cloud: "zillizcloud", clusterId: "in01-3a8c1f5e2b7d9a4", autoPause: true, __provider: h.shim });
    expect(zilliz.failures).toEqual([{ property: "autoPause", reason: expect.stringMatching(/^autoPause only applies to cloud "tencentcloud" .*remove it for cloud "zillizcloud"/) }]);

    const created = await create("preview", BASE);
    h.emulator.log.clear();
    const unknown = (await h.host.check(h.urn("preview"), created.inputs, { ...BASE, autoPause: UNKNOWN_VALUE, __provider: h.shim })).inputs;
    expect((await h.host.diff(h.urn("preview"), ID, created.outputs, unknown, created.inputs)).changes).toBe(DIFF.SOME);
    expect(h.emulator.log.count()).toBe(0);
  });
});
