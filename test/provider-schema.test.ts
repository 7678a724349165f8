import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { checkInputs, diffState, satisfies, UNKNOWN, defaults } from "../src/provider/schema";

const tencent = { cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75", region: "ap-guangzhou" };
const zilliz = { cloud: "zillizcloud", clusterId: "in01-3a8c1f5e2b7d9a4", region: "aws-us-west-2" };

const checked = (news: Record<string, unknown>) => {
  const { inputs, failures } = checkInputs(news);
  expect(failures).toEqual([]);
  return inputs;
};
const failuresOf = (news: Record<string, unknown>) => checkInputs(news).failures;

describe("check", () => {
  it("applies the documented defaults per cloud", () => {
    expect(checked(tencent)).toEqual({
      ...tencent,
      powerState: "paused",
      wait: true,
      timeoutSeconds: 1800,
      onDelete: "leave",
      forcePause: false,
      allowAutoPause: true,
    });
    expect(checked(zilliz)).toEqual({ ...zilliz, powerState: "paused", wait: true, timeoutSeconds: 1800, onDelete: "leave", apiVersion: "v2" });
  });

  it("keeps explicit values and ignores __provider", () => {
    const inputs = checked({ ...tencent, powerState: "running", forcePause: true, wait: false, timeoutSeconds: 60, __provider: "text" });
    expect(inputs).toMatchObject({ powerState: "running", forcePause: true, wait: false, timeoutSeconds: 60 });
    expect(inputs).not.toHaveProperty("__provider");
  });

  it("names the field and the fix for each bad input", () => {
    const failures = failuresOf({ cloud: "tencentcloud", clusterId: "in01-abc", region: "guangzhou", powerState: "off", timeoutSeconds: 0, onDelete: "pause" });
    const byProperty = Object.fromEntries(failures.map((f) => [f.property, f.reason]));
    expect(Object.keys(byProperty).sort()).toEqual(["clusterId", "onDelete", "powerState", "region", "timeoutSeconds"]);
    expect(byProperty.powerState).toMatch(/"running" or "paused"/);
    expect(byProperty.clusterId).toMatch(/cynosdbmysql-8vcxoq75/);
    expect(byProperty.region).toMatch(/ap-guangzhou/);
    expect(byProperty.timeoutSeconds).toMatch(/at least 1/);
  });

  it("rejects options of the other cloud, unknown inputs and missing required ones", () => {
    expect(failuresOf({ ...zilliz, forcePause: true }).map((f) => f.property)).toEqual(["forcePause"]);
    expect(failuresOf({ ...zilliz, allowAutoPause: false }).map((f) => f.property)).toEqual(["allowAutoPause"]);
    expect(failuresOf({ ...tencent, apiVersion: "v2" })[0].reason).toMatch(/only applies to cloud "zillizcloud"/);
    expect(failuresOf({ ...tencent, powerstate: "paused" })[0]).toMatchObject({ property: "powerstate" });
    expect(failuresOf({ clusterId: "x" }).map((f) => f.property)).toContain("cloud");
    expect(failuresOf({ cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75" }).map((f) => f.property)).toEqual(["region"]);
    expect(failuresOf({ ...zilliz, region: "ap-guangzhou" }).map((f) => f.property)).toEqual(["region"]);
    expect(failuresOf({ cloud: "zillizcloud", clusterId: "in01-3a8c1f5e2b7d9a4", apiVersion: "v1" }).map((f) => f.property)).toEqual(["region"]);
    // Zilliz v2 needs no region (one global host).
    expect(failuresOf({ cloud: "zillizcloud", clusterId: "in01-3a8c1f5e2b7d9a4" })).toEqual([]);
  });

  it("refuses endpoints that would send credentials in clear text", () => {
    expect(failuresOf({ ...tencent, endpoint: "http://example.com" })[0]).toMatchObject({ property: "endpoint" });
    expect(failuresOf({ ...tencent, endpoint: "http://127.0.0.1:4780" })).toEqual([]);
  });

  it("lets preview's unknown values through and still applies defaults", () => {
    const { inputs, failures } = checkInputs({ cloud: "tencentcloud", clusterId: UNKNOWN, region: UNKNOWN, powerState: UNKNOWN });
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({ clusterId: UNKNOWN, region: UNKNOWN, powerState: UNKNOWN, onDelete: "leave", forcePause: false });
    expect(checkInputs({ cloud: UNKNOWN, clusterId: "anything" }).failures).toEqual([]);
  });

  it("uses the SDK's own unknown sentinel", () => {
    const pulumi = createRequire(import.meta.url)("@pulumi/pulumi");
    expect(UNKNOWN).toBe(pulumi.runtime.unknownValue);
  });
});

describe("diff", () => {
  const state = (inputs: Record<string, unknown>, observedState: string) => ({ ...checked(inputs), observedState, rawStatus: "x", __provider: "old text" });

  it("is no change when inputs match and the cloud is where it should be, whatever __provider says", () => {
    const news = { ...checked(tencent), __provider: "new text" };
    expect(diffState(state(tencent, "paused"), news)).toMatchObject({ changes: false, replaces: [], needsTransition: false });
  });

  it("replaces (delete first) when the cluster identity changes", () => {
    for (const [key, value] of [["clusterId", "cynosdbmysql-aaaaaaaa"], ["region", "ap-shanghai"]] as const) {
      const d = diffState(state(tencent, "paused"), checked({ ...tencent, [key]: value }));
      expect(d).toMatchObject({ changes: true, replaces: [key], deleteBeforeReplace: true });
    }
    expect(diffState(state(zilliz, "paused"), checked({ ...zilliz, apiVersion: "v1" })).replaces).toEqual(["apiVersion"]);
    expect(diffState(state(zilliz, "paused"), { ...checked(zilliz), cloud: "tencentcloud" }).replaces).toContain("cloud");
  });

  it("updates powerState with a transition, and provider-only options without one", () => {
    expect(diffState(state(tencent, "paused"), checked({ ...tencent, powerState: "running" }))).toMatchObject({ changes: true, replaces: [], needsTransition: true });
    for (const change of [{ wait: false }, { timeoutSeconds: 60 }, { onDelete: "resume" }, { forcePause: true }, { endpoint: "https://cynosdb.intl.tencentcloudapi.com" }]) {
      expect(diffState(state(tencent, "paused"), checked({ ...tencent, ...change }))).toMatchObject({ changes: true, replaces: [], needsTransition: false });
    }
  });

  it("reports drift after refresh: refreshed observedState against the old inputs", () => {
    expect(diffState(state(zilliz, "running"), checked(zilliz))).toMatchObject({ changes: true, needsTransition: true });
    expect(diffState(state(tencent, "running"), checked(tencent))).toMatchObject({ changes: true, needsTransition: true });
    expect(diffState(state(zilliz, "unknown"), checked(zilliz)).changes).toBe(true);
  });

  it("does not fight Tencent's auto-pause while running is desired, unless allowAutoPause is false", () => {
    const running = { ...tencent, powerState: "running" };
    expect(diffState(state(running, "paused"), checked(running)).changes).toBe(false);
    const strict = { ...running, allowAutoPause: false };
    expect(diffState(state(strict, "paused"), checked(strict))).toMatchObject({ changes: true, needsTransition: true });
    // Zilliz dedicated clusters never pause by themselves: always strict.
    const zRunning = { ...zilliz, powerState: "running" };
    expect(diffState(state(zRunning, "paused"), checked(zRunning)).changes).toBe(true);
  });

  it("treats a transition toward the target as satisfied, and unknown values as changes", () => {
    expect(satisfies("paused", "pausing", { cloud: "zillizcloud" })).toBe(true);
    expect(satisfies("running", "pausing", { cloud: "zillizcloud" })).toBe(false);
    expect(diffState(state(tencent, "paused"), { ...checked(tencent), clusterId: UNKNOWN })).toMatchObject({ changes: true, replaces: ["clusterId"] });
    expect(diffState(state(tencent, "paused"), { ...checked(tencent), powerState: UNKNOWN })).toMatchObject({ changes: true, replaces: [] });
  });

  it("documents the defaults it applies", () => {
    expect(defaults()).toMatchObject({ powerState: "paused", forcePause: false, allowAutoPause: true, onDelete: "leave", apiVersion: "v2", timeoutSeconds: 1800 });
  });
});
