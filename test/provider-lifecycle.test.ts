import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/emulator/server";
import { CREDENTIALS, DIFF, ProviderCallError, SHIM_FIXTURE, startHarness, UNKNOWN_VALUE, type Harness, type Props } from "./harness/provider-harness";

/**
 * The provider through Pulumi's own dynamic-provider host, with the engine's call sequences and
 * marshalling (see tools/engine-client.ts), against the emulator, for both clouds.
 */

interface CloudCase {
  cloud: "tencentcloud" | "zillizcloud";
  base: Props;
  otherClusterId: string;
  /** The live state in the emulator, normalized. */
  live(emulator: Emulator, clusterId: string): string | undefined;
  reset(emulator: Emulator, clusterId: string, state: "running" | "paused"): void;
  resumeOutOfBand(emulator: Emulator, clusterId: string): void;
  remove(emulator: Emulator, clusterId: string): void;
  receiptField: "flowId" | "prompt";
  describeAction: string;
  writeAction: { pause: string; resume: string };
  permissionError: { code: string; action: string };
}

const CASES: CloudCase[] = [
  {
    cloud: "tencentcloud",
    base: { cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75", region: "ap-guangzhou" },
    otherClusterId: "cynosdbmysql-2k7d9xq1",
    live: (em, id) => ({ pause: "paused", resume: "running" })[em.part("tencentcloud").getCluster(id)?.serverlessStatus ?? ""] ?? em.part("tencentcloud").getCluster(id)?.serverlessStatus,
    reset: (em, id, state) => em.part("tencentcloud").addCluster({ clusterId: id, region: "ap-guangzhou", serverlessStatus: state === "paused" ? "pause" : "resume" }),
    resumeOutOfBand: (em, id) => em.part("tencentcloud").autoResume(id),
    remove: (em, id) => void em.part("tencentcloud").removeCluster(id),
    receiptField: "flowId",
    describeAction: "DescribeClusterDetail",
    writeAction: { pause: "PauseServerless", resume: "ResumeServerless" },
    permissionError: { code: "UnauthorizedOperation.PermissionDenied", action: "PauseServerless" },
  },
  {
    cloud: "zillizcloud",
    base: { cloud: "zillizcloud", clusterId: "in01-3a8c1f5e2b7d9a4", region: "aws-us-west-2" },
    otherClusterId: "in01-7e4b2c9d1f6a835",
    live: (em, id) => ({ STOPPED: "paused", RUNNING: "running" })[em.part("zillizcloud").getCluster(id)?.status ?? ""] ?? em.part("zillizcloud").getCluster(id)?.status,
    reset: (em, id, state) => void em.part("zillizcloud").addCluster({ clusterId: id, regionId: "aws-us-west-2", plan: "Standard", status: state === "paused" ? "STOPPED" : "RUNNING" }),
    resumeOutOfBand: (em, id) => em.part("zillizcloud").resumeOutOfBand(id, { immediate: true }),
    remove: (em, id) => void em.part("zillizcloud").removeCluster(id),
    receiptField: "prompt",
    describeAction: "describe",
    writeAction: { pause: "suspend", resume: "resume" },
    permissionError: { code: "96016", action: "suspend" },
  },
];

/** Every output must be JSON-clean: no undefined (the host cannot marshal it), no null. */
function expectCleanOutputs(outputs: Props): void {
  for (const [key, value] of Object.entries(outputs)) {
    expect(value, key).not.toBeUndefined();
    expect(value, key).not.toBeNull();
  }
}

function expectNoSecrets(value: unknown): void {
  const text = JSON.stringify(value);
  for (const secret of [CREDENTIALS.tencentSecretKey, CREDENTIALS.zillizApiKey]) expect(text).not.toContain(secret);
}

describe.each(CASES)("$cloud through the dynamic-provider host", (c) => {
  let h: Harness;
  const id = String(c.base.clusterId);

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    h.emulator.faults.clear();
    h.emulator.setTransitionMs(150);
  });

  /** `pulumi up` of a new resource: Check(olds={}) then Create. */
  async function create(name: string, inputs: Props) {
    const news = { ...inputs, __provider: h.shim };
    const checked = await h.host.check(h.urn(name), {}, news);
    expect(checked.failures).toEqual([]);
    const created = await h.host.create(h.urn(name), checked.inputs, Number(checked.inputs.timeoutSeconds));
    return { inputs: checked.inputs, ...created };
  }

  it("up (create): pauses the cluster, waits, and records complete outputs", async () => {
    c.reset(h.emulator, id, "running");
    const created = await create("create", c.base);
    expect(created.id).toBe(id);
    expect(created.outputs).toMatchObject({ ...c.base, powerState: "paused", observedState: "paused", lastOperation: "pause", __provider: h.shim });
    expect(created.outputs[c.receiptField]).toBeDefined();
    expect(typeof created.outputs.requestId).toBe("string");
    expect(Date.parse(String(created.outputs.lastChangedAt))).not.toBeNaN();
    expect(created.outputs).not.toHaveProperty(c.receiptField === "flowId" ? "prompt" : "flowId");
    expectCleanOutputs(created.outputs);
    expectNoSecrets(created.outputs);
    expect(c.live(h.emulator, id)).toBe("paused");
    // What the stack stores for this resource (inputs + outputs, __provider in both).
    expect(Buffer.byteLength(JSON.stringify({ inputs: created.inputs, outputs: created.outputs }))).toBeLessThan(8 * 1024);
  });

  it("up with no change: DIFF_NONE and zero pause/resume calls, even when only __provider text changed", async () => {
    c.reset(h.emulator, id, "running");
    const { inputs, outputs } = await create("nochange", c.base);
    const writes = h.writes();
    const rechecked = await h.host.check(h.urn("nochange"), inputs, { ...c.base, __provider: h.shim });
    const diff = await h.host.diff(h.urn("nochange"), id, outputs, rechecked.inputs, inputs);
    expect(diff.changes).toBe(DIFF.NONE);
    const otherText = await h.host.diff(h.urn("nochange"), id, outputs, { ...rechecked.inputs, __provider: readFileSync(SHIM_FIXTURE, "utf8") + "\n" }, inputs);
    expect(otherText.changes).toBe(DIFF.NONE);
    expect(h.writes()).toBe(writes);
  });

  it("paused -> running is an update that resumes and returns complete outputs", async () => {
    c.reset(h.emulator, id, "running");
    const { inputs, outputs } = await create("flip", c.base);
    const news = (await h.host.check(h.urn("flip"), inputs, { ...c.base, powerState: "running", __provider: h.shim })).inputs;
    const diff = await h.host.diff(h.urn("flip"), id, outputs, news, inputs);
    expect(diff).toMatchObject({ changes: DIFF.SOME, replaces: [] });
    const updated = await h.host.update(h.urn("flip"), id, outputs, news, inputs);
    expect(updated.outputs).toMatchObject({ ...c.base, powerState: "running", observedState: "running", lastOperation: "resume", __provider: h.shim });
    expect(updated.outputs[c.receiptField]).toBeDefined();
    expectCleanOutputs(updated.outputs);
    expect(c.live(h.emulator, id)).toBe("running");
    expect(h.emulator.log.count({ action: c.writeAction.resume, clusterId: id })).toBeGreaterThan(0);
  });

  it("wait: false returns once the cloud accepted the call, and the next up leaves it on its way", async () => {
    c.reset(h.emulator, id, "running");
    h.emulator.setTransitionMs(60_000);
    const { inputs, outputs } = await create("nowait", { ...c.base, wait: false });
    expect(outputs).toMatchObject({ observedState: "pausing", lastOperation: "pause" });
    expect(outputs[c.receiptField]).toBeDefined();
    const news = (await h.host.check(h.urn("nowait"), inputs, { ...c.base, wait: false, __provider: h.shim })).inputs;
    expect((await h.host.diff(h.urn("nowait"), id, outputs, news, inputs)).changes).toBe(DIFF.NONE);
  });

  it("an option that changes no cloud state updates without any API call", async () => {
    c.reset(h.emulator, id, "running");
    const { inputs, outputs } = await create("options", c.base);
    const news = (await h.host.check(h.urn("options"), inputs, { ...c.base, timeoutSeconds: 99, onDelete: "resume", __provider: h.shim })).inputs;
    expect((await h.host.diff(h.urn("options"), id, outputs, news, inputs)).changes).toBe(DIFF.SOME);
    const calls = h.emulator.log.count();
    const updated = await h.host.update(h.urn("options"), id, outputs, news, inputs);
    expect(h.emulator.log.count()).toBe(calls);
    expect(updated.outputs).toMatchObject({ timeoutSeconds: 99, onDelete: "resume", observedState: "paused", [c.receiptField]: outputs[c.receiptField] });
  });

  it("a clusterId change replaces, deleting first", async () => {
    c.reset(h.emulator, id, "running");
    const { inputs, outputs } = await create("replace", c.base);
    const news = (await h.host.check(h.urn("replace"), inputs, { ...c.base, clusterId: c.otherClusterId, __provider: h.shim })).inputs;
    const diff = await h.host.diff(h.urn("replace"), id, outputs, news, inputs);
    expect(diff).toEqual({ changes: DIFF.SOME, replaces: ["clusterId"], deleteBeforeReplace: true });
  });

  it("preview with unknowns: Check and Diff pass them through and call no API", async () => {
    c.reset(h.emulator, id, "running");
    const { inputs, outputs } = await create("preview", c.base);
    const calls = h.emulator.log.count();
    const fresh = await h.host.check(h.urn("preview-new"), {}, { ...c.base, clusterId: UNKNOWN_VALUE, powerState: UNKNOWN_VALUE, __provider: h.shim });
    expect(fresh.failures).toEqual([]);
    expect(fresh.inputs).toMatchObject({ clusterId: UNKNOWN_VALUE, powerState: UNKNOWN_VALUE, onDelete: "leave" });
    const news = (await h.host.check(h.urn("preview"), inputs, { ...c.base, powerState: UNKNOWN_VALUE, __provider: h.shim })).inputs;
    expect((await h.host.diff(h.urn("preview"), id, outputs, news, inputs))).toMatchObject({ changes: DIFF.SOME, replaces: [] });
    const moved = (await h.host.check(h.urn("preview"), inputs, { ...c.base, clusterId: UNKNOWN_VALUE, __provider: h.shim })).inputs;
    expect((await h.host.diff(h.urn("preview"), id, outputs, moved, inputs)).replaces).toEqual(["clusterId"]);
    expect(h.emulator.log.count()).toBe(calls);
  });

  it("refresh sees an out-of-band resume as drift, and the next up corrects it", async () => {
    c.reset(h.emulator, id, "running");
    const { inputs, outputs } = await create("drift", c.base);
    c.resumeOutOfBand(h.emulator, id);
    const read = await h.host.read(h.urn("drift"), id, outputs, inputs);
    expect(read.id).toBe(id);
    expect(read.outputs).toMatchObject({ observedState: "running", powerState: "paused", [c.receiptField]: outputs[c.receiptField], __provider: h.shim });
    expectCleanOutputs(read.outputs);
    // The engine's drift check after refresh: Diff(olds = refreshed outputs, news = old inputs).
    expect((await h.host.diff(h.urn("drift"), id, read.outputs, inputs, inputs)).changes).toBe(DIFF.SOME);
    // Next up: Check(old inputs, same program inputs) -> Diff against the refreshed outputs -> Update.
    const news = (await h.host.check(h.urn("drift"), inputs, { ...c.base, __provider: h.shim })).inputs;
    const diff = await h.host.diff(h.urn("drift"), id, read.outputs, news, inputs);
    expect(diff).toMatchObject({ changes: DIFF.SOME, replaces: [] });
    const updated = await h.host.update(h.urn("drift"), id, read.outputs, news, inputs);
    expect(updated.outputs).toMatchObject({ observedState: "paused", lastOperation: "pause" });
    expect(c.live(h.emulator, id)).toBe("paused");
    const again = await h.host.read(h.urn("drift"), id, updated.outputs, news);
    expect((await h.host.diff(h.urn("drift"), id, again.outputs, news, news)).changes).toBe(DIFF.NONE);
  });

  it("refresh of a deleted cluster returns an empty id (the resource leaves state)", async () => {
    const gone = c.otherClusterId;
    c.reset(h.emulator, gone, "running");
    const { inputs, outputs } = await create("gone", { ...c.base, clusterId: gone });
    c.remove(h.emulator, gone);
    const read = await h.host.read(h.urn("gone"), gone, outputs, inputs);
    expect(read.id).toBe("");
    // And destroy of a cluster that no longer exists succeeds.
    await h.host.delete(h.urn("gone"), gone, { ...outputs, onDelete: "resume" }, inputs);
    c.reset(h.emulator, gone, "running");
  });

  it('destroy with onDelete "leave" touches nothing', async () => {
    c.reset(h.emulator, id, "running");
    const { inputs, outputs } = await create("leave", c.base);
    const calls = h.emulator.log.count();
    await h.host.delete(h.urn("leave"), id, outputs, inputs);
    expect(h.emulator.log.count()).toBe(calls);
    expect(c.live(h.emulator, id)).toBe("paused");
  });

  it('destroy with onDelete "resume" wakes the cluster and waits', async () => {
    c.reset(h.emulator, id, "running");
    const { inputs, outputs } = await create("resume", { ...c.base, onDelete: "resume" });
    expect(c.live(h.emulator, id)).toBe("paused");
    await h.host.delete(h.urn("resume"), id, outputs, inputs);
    expect(c.live(h.emulator, id)).toBe("running");
  });

  it("bad inputs fail Check with the field and the fix, before any API call", async () => {
    const calls = h.emulator.log.count();
    const checked = await h.host.check(h.urn("bad"), {}, { ...c.base, powerState: "off", timeoutSeconds: -1, clusterId: "nope", __provider: h.shim });
    expect(checked.failures.map((f) => f.property).sort()).toEqual(["clusterId", "powerState", "timeoutSeconds"]);
    for (const f of checked.failures) expect(f.reason.startsWith(f.property)).toBe(true);
    expect(h.emulator.log.count()).toBe(calls);
  });

  it("a cloud error is a clear gRPC error carrying the cloud's code, and nothing is recorded", async () => {
    c.reset(h.emulator, id, "running");
    h.emulator.faults.push({ cloud: c.cloud, action: c.permissionError.action, fault: { kind: "error", code: c.permissionError.code }, times: 10 });
    const error = await create("denied", c.base).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderCallError);
    const callError = error as InstanceType<typeof ProviderCallError>;
    expect(callError.details).toContain(c.permissionError.code);
    expect(callError.details).toContain(id);
    expect(callError.initFailed).toBeUndefined();
    expectNoSecrets(callError.details);
    expect(c.live(h.emulator, id)).toBe("running");
  });

  it("a failure after the cloud accepted the call is a partial result that stays in state", async () => {
    c.reset(h.emulator, id, "running");
    if (c.cloud === "tencentcloud") {
      h.emulator.faults.push({ cloud: c.cloud, action: c.writeAction.pause, fault: { kind: "flow-failed" } });
    } else {
      h.emulator.setTransitionMs(60_000);
    }
    const error = (await create("partial", { ...c.base, timeoutSeconds: 1 }).then(() => undefined, (e: unknown) => e)) as InstanceType<typeof ProviderCallError>;
    expect(error).toBeInstanceOf(ProviderCallError);
    expect(error.initFailed).toBeDefined();
    const partial = error.initFailed!;
    expect(partial.id).toBe(id);
    expect(partial.reasons.join(" ")).toContain(id);
    expect(partial.properties).toMatchObject({ ...c.base, lastOperation: "pause", __provider: h.shim });
    // powerState records what the resource reached; a create that did not get there has none yet.
    expect(partial.properties).not.toHaveProperty("powerState");
    expect(partial.properties[c.receiptField]).toBeDefined();
    expectCleanOutputs(partial.properties);
    // The recorded state is usable: refresh reads it with its own __provider.
    h.emulator.setTransitionMs(150);
    const read = await h.host.read(h.urn("partial"), id, partial.properties, partial.properties);
    expect(read.id).toBe(id);
    expect(read.outputs).not.toHaveProperty("powerState");
    // ... and the next up still has the change to make.
    const news = (await h.host.check(h.urn("partial"), partial.properties, { ...c.base, __provider: h.shim })).inputs;
    expect((await h.host.diff(h.urn("partial"), id, read.outputs, news, partial.properties)).changes).toBe(DIFF.SOME);
  });

  it.skipIf(c.cloud !== "tencentcloud")("a resume whose flow failed stays pending: auto-pause tolerance does not hide it, the next up resumes", async () => {
    c.reset(h.emulator, id, "running");
    const { inputs, outputs } = await create("retry", c.base);
    expect(c.live(h.emulator, id)).toBe("paused");
    h.emulator.faults.push({ cloud: c.cloud, action: c.writeAction.resume, fault: { kind: "flow-failed" } });
    const running = { ...c.base, powerState: "running", __provider: h.shim };
    const news = (await h.host.check(h.urn("retry"), inputs, running)).inputs;
    const error = (await h.host.update(h.urn("retry"), id, outputs, news, inputs).then(() => undefined, (e: unknown) => e)) as InstanceType<typeof ProviderCallError>;
    const partial = error.initFailed!;
    expect(partial.properties).toMatchObject({ powerState: "paused", lastOperation: "resume" });
    expect(c.live(h.emulator, id)).toBe("paused");
    // The engine records the new inputs with the partial outputs; an auto-paused cluster would
    // satisfy "running", but this one never got there: the next up must try again.
    const again = (await h.host.check(h.urn("retry"), news, running)).inputs;
    const diff = await h.host.diff(h.urn("retry"), id, partial.properties, again, news);
    expect(diff).toMatchObject({ changes: DIFF.SOME, replaces: [] });
    const updated = await h.host.update(h.urn("retry"), id, partial.properties, again, news);
    expect(updated.outputs).toMatchObject({ powerState: "running", observedState: "running", lastOperation: "resume" });
    expect(c.live(h.emulator, id)).toBe("running");
  });

  it("state written with the committed shim fixture (a previous build's __provider) still reads and deletes", async () => {
    const fixture = readFileSync(SHIM_FIXTURE, "utf8");
    c.reset(h.emulator, id, "running");
    const checked = await h.host.check(h.urn("old"), {}, { ...c.base, onDelete: "resume", __provider: fixture });
    const created = await h.host.create(h.urn("old"), checked.inputs);
    expect(created.outputs.__provider).toBe(fixture);
    // A text that differs from today's gets its own deserialization and configure in the host.
    const older = fixture.replace("exports.handler = __f0;", "exports.handler = __f0; // built yesterday");
    const state = { ...created.outputs, __provider: older };
    c.resumeOutOfBand(h.emulator, id);
    const read = await h.host.read(h.urn("old"), id, state, checked.inputs);
    expect(read.outputs).toMatchObject({ observedState: "running", __provider: older });
    c.reset(h.emulator, id, "paused");
    await h.host.delete(h.urn("old"), id, read.outputs, checked.inputs);
    expect(c.live(h.emulator, id)).toBe("running");
  });
  it("the host's own output (provider logs) never shows a credential", () => {
    const logs = h.host.logs();
    for (const secret of [CREDENTIALS.tencentSecretKey, CREDENTIALS.zillizApiKey]) expect(logs).not.toContain(secret);
  });

  // Last in the block: the hung describe stays in flight in the host until the emulator stops.
  it("a hung API fails within timeoutSeconds (the host ignores customTimeouts and Cancel)", async () => {
    c.reset(h.emulator, id, "running");
    h.emulator.faults.push({ cloud: c.cloud, action: c.describeAction, fault: { kind: "hang" }, times: 1000 });
    const started = Date.now();
    const error = (await create("hung", { ...c.base, timeoutSeconds: 2 }).then(() => undefined, (e: unknown) => e)) as InstanceType<typeof ProviderCallError>;
    expect(error).toBeInstanceOf(ProviderCallError);
    expect(error.details).toMatch(/deadline/);
    // Bounded by the resource's own deadline, not by a transport default (60 s) or forever.
    expect(Date.now() - started).toBeLessThan(2000 + 5000);
  });
});

describe("credentials", () => {
  it("an unconfigured host (the engine skips Configure while config is unknown) still checks and diffs", async () => {
    const h = await startHarness({ configure: false });
    try {
      const c = CASES[0];
      const checked = await h.host.check(h.urn("unconfigured"), {}, { ...c.base, __provider: h.shim });
      expect(checked.failures).toEqual([]);
      const outputs = { ...checked.inputs, observedState: "paused", rawStatus: "SERVERLESS running/pause" };
      expect((await h.host.diff(h.urn("unconfigured"), String(c.base.clusterId), outputs, checked.inputs, checked.inputs)).changes).toBe(DIFF.NONE);
      expect(h.emulator.log.count()).toBe(0);
    } finally {
      await h.stop();
    }
  });

  it("come from Configure; without them (and without env variables) create fails naming the setting, before any call", async () => {
    const h = await startHarness({
      config: (em) => ({ "tencentcloud:endpoint": em.url, "zillizcloud:endpoint": em.url }),
      hostEnv: { TENCENTCLOUD_SECRET_ID: undefined, TENCENTCLOUD_SECRET_KEY: undefined, ZILLIZCLOUD_API_KEY: undefined },
    });
    try {
      for (const c of CASES) {
        const checked = await h.host.check(h.urn(`nocreds-${c.cloud}`), {}, { ...c.base, __provider: h.shim });
        const error = (await h.host.create(h.urn(`nocreds-${c.cloud}`), checked.inputs).then(() => undefined, (e: unknown) => e)) as Error;
        expect(error).toBeInstanceOf(ProviderCallError);
        expect(error.message).toMatch(c.cloud === "tencentcloud" ? /tencentcloud:secretId/ : /zillizcloud:apiKey/);
      }
      expect(h.emulator.log.count()).toBe(0);
    } finally {
      await h.stop();
    }
  });
});
