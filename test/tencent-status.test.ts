import { describe, expect, it } from "vitest";
import { decide } from "../src/core/transition";
import { rawStatusOf, snapshotFromFields } from "../src/clouds/tencent/status";

const ID = "cynosdbmysql-8vcxoq75";
const serverless = (ServerlessStatus: string | undefined, Status = "running") =>
  snapshotFromFields(ID, { DbMode: "SERVERLESS", Status, ServerlessStatus });

describe("Tencent status mapping", () => {
  it.each([
    ["resume", "running"],
    ["resuming", "resuming"],
    ["pause", "paused"],
    ["pausing", "pausing"],
    ["PAUSE", "paused"],
  ] as const)("SERVERLESS running/%s -> %s", (raw, power) => {
    const s = serverless(raw);
    expect(s.power).toBe(power);
    expect(s.rawStatus).toBe(`SERVERLESS running/${raw}`);
    expect(s.unsupportedReason).toBeUndefined();
    expect(s.failureReason).toBeUndefined();
  });

  it.each(["运行中", "abc", "", "stopped"])("unknown ServerlessStatus %j -> unknown with the raw value kept", (raw) => {
    const s = serverless(raw);
    expect(s.power).toBe("unknown");
    if (raw) expect(s.rawStatus).toContain(raw);
    expect(decide(s, "paused").kind).toBe("wait");
  });

  it("survives missing and null fields", () => {
    expect(snapshotFromFields(ID, {}).power).toBe("unknown");
    expect(snapshotFromFields(ID, { DbMode: null, Status: null, ServerlessStatus: null }).rawStatus).toBe("? ?");
  });

  it("marks NORMAL clusters unsupported so no write is ever made", () => {
    const s = snapshotFromFields(ID, { DbMode: "NORMAL", Status: "running" });
    expect(s.unsupportedReason).toMatch(/NORMAL.*SERVERLESS/);
    expect(decide(s, "paused")).toMatchObject({ kind: "fail", reason: "unsupported" });
  });

  it.each(["isolating", "isolated", "offlining", "offlined", "deleting", "deleted"])("Status %s fails fast", (status) => {
    const s = serverless("pause", status);
    expect(s.failureReason).toContain(status);
    expect(decide(s, "running")).toMatchObject({ kind: "fail", reason: "failed-state" });
  });

  it.each(["creating", "activating", "运行中"])("Status %s waits", (status) => {
    const s = serverless("resume", status);
    expect(s.power).toBe("unknown");
    expect(s.failureReason).toBeUndefined();
    expect(decide(s, "paused").kind).toBe("wait");
  });

  it("keeps the request id and formats raw status", () => {
    expect(snapshotFromFields(ID, { DbMode: "SERVERLESS", Status: "running", ServerlessStatus: "pause" }, "rid-1").requestId).toBe("rid-1");
    expect(rawStatusOf({ DbMode: "SERVERLESS", Status: "running", ServerlessStatus: "pause" })).toBe("SERVERLESS running/pause");
  });
});
