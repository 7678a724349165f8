import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { powerSchedule } from "../src/core/schedule";
import { Engine, startHarness, type Harness, type Props } from "./harness/provider-harness";

/**
 * Schedules through Pulumi's real dynamic-provider host (engine call sequences from
 * tools/engine-client.ts): the `overrides` rules decide whether a cluster changed by hand between
 * two edges is drift or a manual override, and the rule shows in the refreshed outputs.
 */

const office = powerSchedule({ timezone: "Asia/Shanghai", running: ["Mon-Fri 08:00-20:00"] });
// Monday 2026-11-30: 20:00 Shanghai is the evening edge, 08:00 Tuesday the morning one.
const evening = office.at(new Date("2026-11-30T13:00:00Z")); // 21:00 local: paused since 20:00
const tuesdayMorning = office.at(new Date("2026-12-01T01:00:00Z")); // 09:00 local: running since 08:00
const tuesdayEvening = office.at(new Date("2026-12-01T13:00:00Z"));

const ID = "cynosdbmysql-sched001";

let h: Harness;
const writes = (action: "PauseServerless" | "ResumeServerless") => h.emulator.log.count({ action, clusterId: ID });
const live = () => h.emulator.part("tencentcloud").getCluster(ID)?.serverlessStatus;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

function resource(inputs: Props) {
  return [{ urn: h.urn("sched"), type: "pulumi-nodejs:dynamic/cluster-power:ClusterPowerState", name: "sched", inputs: { cloud: "tencentcloud", clusterId: ID, region: "ap-guangzhou", ...inputs, __provider: h.shim } }];
}

describe("schedules through the host", () => {
  it("the schedule's states are the ones the edges say", () => {
    expect(evening).toEqual({ powerState: "paused", scheduledAt: "2026-11-30T12:00:00.000Z", overrides: "enforce" });
    expect(tuesdayMorning).toEqual({ powerState: "running", scheduledAt: "2026-12-01T00:00:00.000Z", overrides: "enforce" });
  });

  it("until-next-edge: create at an edge pauses; a manual resume survives refresh + up; a new edge acts again", async () => {
    const engine = new Engine(h.host);
    h.emulator.part("tencentcloud").addCluster({ clusterId: ID, region: "ap-guangzhou", serverlessStatus: "resume" });
    const rule = { overrides: "until-next-edge" };

    const created = await engine.up(resource({ ...evening, ...rule }));
    expect(created[0]).toMatchObject({ op: "create", after: { observedState: "paused", scheduledAt: evening.scheduledAt } });
    expect(created[0].after?.overrideRule).toMatch(/until-next-edge: created, bringing cluster to paused/);
    expect(writes("PauseServerless")).toBe(1);

    // A developer resumes it at 22:00 to debug: refresh sees it, names the rule, and up leaves it.
    h.emulator.part("tencentcloud").autoResume(ID);
    const [refreshed] = await engine.refresh();
    expect(refreshed.after).toMatchObject({ observedState: "running", overriddenSince: expect.any(String) });
    expect(refreshed.after?.overrideRule).toMatch(/manual override respected until the next edge/);
    expect(refreshed.drift).toBe(false);
    const since = refreshed.after?.overriddenSince;
    const again = await engine.up(resource({ ...evening, ...rule }));
    expect(again[0].op).toBe("same");
    const [stillOverridden] = await engine.refresh();
    expect(stillOverridden.after?.overriddenSince).toBe(since);
    expect(writes("PauseServerless")).toBe(1);
    expect(live()).toBe("resume");

    // The morning edge wants it running: it is, so no call; the evening edge pauses it again.
    const morning = await engine.up(resource({ ...tuesdayMorning, ...rule }));
    expect(morning[0]).toMatchObject({ op: "update", after: { powerState: "running", scheduledAt: tuesdayMorning.scheduledAt } });
    expect(morning[0].after?.overriddenSince).toBeUndefined();
    expect(writes("ResumeServerless")).toBe(0);
    const night = await engine.up(resource({ ...tuesdayEvening, ...rule }));
    expect(night[0]).toMatchObject({ op: "update", after: { observedState: "paused", scheduledAt: tuesdayEvening.scheduledAt } });
    expect(writes("PauseServerless")).toBe(2);
    expect(live()).toBe("pause");
    await engine.destroy();
  });

  it("enforce (the default): the same manual resume is drift, and up pauses it again", async () => {
    const engine = new Engine(h.host);
    h.emulator.part("tencentcloud").addCluster({ clusterId: ID, region: "ap-guangzhou", serverlessStatus: "resume" });
    const pauses = writes("PauseServerless");
    await engine.up(resource({ ...evening }));
    h.emulator.part("tencentcloud").autoResume(ID);
    const [refreshed] = await engine.refresh();
    expect(refreshed.drift).toBe(true);
    expect(refreshed.after?.overrideRule).toBeUndefined();
    const again = await engine.up(resource({ ...evening }));
    expect(again[0].op).toBe("update");
    expect(writes("PauseServerless")).toBe(pauses + 2);
    await engine.destroy();
  });

  it("pause-only never sends a resume: not on create, not at a running edge, not after a manual pause", async () => {
    const engine = new Engine(h.host);
    h.emulator.part("tencentcloud").addCluster({ clusterId: ID, region: "ap-guangzhou", serverlessStatus: "pause" });
    const resumes = writes("ResumeServerless");
    const pauses = writes("PauseServerless");
    const rule = { overrides: "pause-only" };

    const created = await engine.up(resource({ ...tuesdayMorning, ...rule }));
    expect(created[0]).toMatchObject({ op: "create", after: { observedState: "paused", powerState: "running" } });
    expect(created[0].after?.overrideRule).toMatch(/pause-only: never resumes/);
    await engine.refresh();
    expect((await engine.up(resource({ ...tuesdayMorning, ...rule })))[0].op).toBe("same");

    // Someone starts it by hand; the evening edge pauses it; a later manual start is respected.
    h.emulator.part("tencentcloud").autoResume(ID);
    await engine.refresh();
    await engine.up(resource({ ...tuesdayEvening, ...rule }));
    expect(live()).toBe("pause");
    h.emulator.part("tencentcloud").autoResume(ID);
    const [refreshed] = await engine.refresh();
    expect(refreshed.after?.overriddenSince).toEqual(expect.any(String));
    expect((await engine.up(resource({ ...tuesdayEvening, ...rule })))[0].op).toBe("same");
    expect(writes("ResumeServerless")).toBe(resumes);
    expect(writes("PauseServerless")).toBe(pauses + 1);
    await engine.destroy();
  });

  it("check names a bad scheduledAt or overrides, with the fix, before any call", async () => {
    const calls = h.emulator.log.count();
    const checked = await h.host.check(h.urn("bad"), {}, { cloud: "tencentcloud", clusterId: ID, region: "ap-guangzhou", scheduledAt: "2026-11-30 20:00", overrides: "sometimes", __provider: h.shim });
    expect(checked.failures.map((f) => f.property).sort()).toEqual(["overrides", "scheduledAt"]);
    expect(checked.failures.find((f) => f.property === "scheduledAt")?.reason).toMatch(/ISO 8601 instant .*powerSchedule/);
    const normalized = await h.host.check(h.urn("ok"), {}, { cloud: "tencentcloud", clusterId: ID, region: "ap-guangzhou", scheduledAt: "2026-11-30T20:00:00+08:00", __provider: h.shim });
    expect(normalized.inputs.scheduledAt).toBe("2026-11-30T12:00:00.000Z");
    expect(h.emulator.log.count()).toBe(calls);
  });
});
