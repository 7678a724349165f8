import { describe, expect, it } from "vitest";
import { CLOUDS } from "../src/clouds";
import { resolveSettingsArgs, settingsCommands } from "../src/cli/settings";
import type { CloudSettings } from "../src/core/cloud";
import { UsageError } from "../src/core/errors";
import { carriedSettingsOutputs, desiredSettings, settingsChanges, settingsDrift, settingsOutputs } from "../src/core/settings";
import { checkInputs, diffState, UNKNOWN } from "../src/provider/schema";

/** Cluster settings besides power (CloudSettings): the pure decisions, without I/O. */

const SETTINGS = CLOUDS.require("tencentcloud").settings as CloudSettings;
const BASE = { cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75", region: "ap-guangzhou" };
const checked = (inputs: Record<string, unknown>) => {
  const { inputs: out, failures } = checkInputs(inputs);
  expect(failures).toEqual([]);
  return out;
};
/** Old outputs of a resource that paused its cluster and read this policy. */
const state = (inputs: Record<string, unknown>, observed: Record<string, unknown>) => ({ ...checked(inputs), observedState: "paused", rawStatus: "SERVERLESS running/pause", ...observed });

describe("which settings are managed, and which differ", () => {
  it("unset inputs manage nothing", () => {
    expect(desiredSettings(SETTINGS, checked(BASE))).toBeUndefined();
    expect(desiredSettings(undefined, { autoPause: true })).toBeUndefined();
    expect(desiredSettings(SETTINGS, checked({ ...BASE, autoPause: false }))).toEqual({ autoPause: false });
    expect(desiredSettings(SETTINGS, checked({ ...BASE, autoPause: true, autoPauseDelaySeconds: 900 }))).toEqual({ autoPause: true, autoPauseDelaySeconds: 900 });
  });

  it("only the differing managed settings are changed", () => {
    expect(settingsChanges({ autoPause: false }, { autoPause: true, autoPauseDelaySeconds: 600 })).toEqual({ autoPause: false });
    expect(settingsChanges({ autoPause: true, autoPauseDelaySeconds: 600 }, { autoPause: true, autoPauseDelaySeconds: 600 })).toEqual({});
    expect(settingsChanges({ autoPauseDelaySeconds: 900 }, { autoPause: false })).toEqual({ autoPauseDelaySeconds: 900 });
  });

  it("drift compares the recorded observed output with the input; unknown and never-read values differ", () => {
    const olds = { observedAutoPause: true, observedAutoPauseDelaySeconds: 600 };
    expect(settingsDrift(SETTINGS, olds, { autoPause: true })).toEqual([]);
    expect(settingsDrift(SETTINGS, olds, { autoPause: false, autoPauseDelaySeconds: 600 })).toEqual(["autoPause"]);
    expect(settingsDrift(SETTINGS, {}, { autoPauseDelaySeconds: 600 })).toEqual(["autoPauseDelaySeconds"]);
    expect(settingsDrift(SETTINGS, olds, { autoPause: UNKNOWN })).toEqual(["autoPause"]);
    expect(settingsDrift(SETTINGS, olds, {})).toEqual([]);
  });

  it("outputs: every reported value, plus the change's receipt; carried: the receipt always, observed values only while managed", () => {
    expect(settingsOutputs(SETTINGS, { autoPause: false }, { requestId: "r1", taskId: 7 })).toEqual({ observedAutoPause: false, autoPauseRequestId: "r1", autoPauseTaskId: 7 });
    expect(settingsOutputs(SETTINGS, { autoPause: true, autoPauseDelaySeconds: 600 })).toEqual({ observedAutoPause: true, observedAutoPauseDelaySeconds: 600 });
    const olds = { observedAutoPause: false, observedAutoPauseDelaySeconds: 600, autoPauseRequestId: "r1", autoPauseTaskId: 7, observedState: "paused" };
    expect(carriedSettingsOutputs(SETTINGS, olds, true)).toEqual({ observedAutoPause: false, observedAutoPauseDelaySeconds: 600, autoPauseRequestId: "r1", autoPauseTaskId: 7 });
    expect(carriedSettingsOutputs(SETTINGS, olds, false)).toEqual({ autoPauseRequestId: "r1", autoPauseTaskId: 7 });
    expect(carriedSettingsOutputs(undefined, olds, true)).toEqual({});
  });
});

describe("diff", () => {
  it("a settings difference is a change that needs no power transition", () => {
    const olds = state({ ...BASE, autoPause: true }, { observedAutoPause: true, observedAutoPauseDelaySeconds: 600 });
    expect(diffState(olds, checked({ ...BASE, autoPause: true }))).toMatchObject({ changes: false, needsTransition: false, needsSettings: [] });
    expect(diffState(olds, checked({ ...BASE, autoPause: false }))).toMatchObject({ changes: true, needsTransition: false, needsSettings: ["autoPause"] });
    // A newly managed delay that already has the declared value: an input change, nothing to set.
    expect(diffState(olds, checked({ ...BASE, autoPause: true, autoPauseDelaySeconds: 600 }))).toMatchObject({ changes: true, needsTransition: false, needsSettings: [] });
    // Unsetting manages nothing: a change of inputs only.
    expect(diffState(olds, checked(BASE))).toMatchObject({ changes: true, needsTransition: false, needsSettings: [] });
  });

  it("drift found by refresh (observed != desired) is a change; a replacement sets nothing", () => {
    const refreshed = state({ ...BASE, autoPause: false }, { observedAutoPause: true });
    expect(diffState(refreshed, checked({ ...BASE, autoPause: false }))).toMatchObject({ changes: true, needsSettings: ["autoPause"] });
    const moved = diffState(refreshed, checked({ ...BASE, autoPause: false, clusterId: "cynosdbmysql-2k7d9xq1" }));
    expect(moved).toMatchObject({ replaces: ["clusterId"], needsSettings: [] });
  });
});

describe("the settings command's arguments", () => {
  const env = { TENCENTCLOUD_SECRET_ID: "AKIDx", TENCENTCLOUD_SECRET_KEY: "k" };
  it("is declared once, by the clouds that have it", () => {
    expect([...settingsCommands().entries()].map(([name, { clouds }]) => [name, clouds.map((c) => c.name)])).toEqual([["auto-pause", ["tencentcloud"]]]);
  });

  it("resolves flags into settings; another cloud, or no choice, is a usage error", () => {
    const args = resolveSettingsArgs("auto-pause", { cloud: "tencentcloud", region: "ap-guangzhou", clusterId: ["cynosdbmysql-aaaaaaaa"], enable: true, delay: "1200" }, env);
    expect(args).toMatchObject({ command: "auto-pause", cloud: "tencentcloud", clusterIds: ["cynosdbmysql-aaaaaaaa"], desired: { autoPause: true, autoPauseDelaySeconds: 1200 } });
    expect(() => resolveSettingsArgs("auto-pause", { cloud: "zillizcloud", clusterId: ["in01-3a8c1f5e2b7d9a4"], disable: true }, { ZILLIZCLOUD_API_KEY: "k" })).toThrow(UsageError);
    expect(() => resolveSettingsArgs("auto-pause", { cloud: "tencentcloud", region: "ap-guangzhou", clusterId: ["cynosdbmysql-aaaaaaaa"] }, env)).toThrow(/--enable: or --disable is required/);
    expect(() => resolveSettingsArgs("auto-pause", { region: "ap-guangzhou", clusterId: ["cynosdbmysql-aaaaaaaa"], enable: true }, env)).toThrow(/--cloud: missing/);
  });
});
