import { describe, expect, it } from "vitest";
import { diffState } from "../src/provider/schema";

/** diffState under each overrides rule (pure): olds are the old outputs, news the checked inputs. */

const E1 = "2026-11-30T12:00:00.000Z";
const E2 = "2026-12-01T00:00:00.000Z";
const base = { cloud: "zillizcloud", clusterId: "in01-0123456789abcdef", apiVersion: "v2", wait: true, timeoutSeconds: 1800, onDelete: "leave" };
const olds = (observedState: string, extra: Record<string, unknown> = {}) => ({ ...base, powerState: "paused", scheduledAt: E1, observedState, rawStatus: "x", ...extra });
const news = (extra: Record<string, unknown> = {}) => ({ ...base, powerState: "paused", scheduledAt: E1, ...extra });

describe("diffState and the overrides rules", () => {
  it.each([
    // [rule, old observed, new inputs, needsTransition, changes]
    ["enforce", "running", {}, true, true],
    ["until-next-edge", "running", {}, false, false],
    ["until-next-edge", "running", { scheduledAt: E2 }, true, true],
    ["until-next-edge", "paused", { scheduledAt: E2 }, false, true],
    ["pause-only", "running", {}, false, false],
    ["pause-only", "running", { scheduledAt: E2 }, true, true],
    ["pause-only", "paused", { powerState: "running", scheduledAt: E2 }, false, true],
  ] as const)("%s, observed %s, %o: transition %s, changes %s", (rule, observed, extra, transition, changes) => {
    const d = diffState(olds(observed, { overrides: rule }), news({ overrides: rule, ...extra }));
    expect(d.needsTransition).toBe(transition);
    expect(d.changes).toBe(changes);
    expect(d.rule.startsWith(rule)).toBe(true);
  });

  it("a new powerState is a new decision even under the same scheduledAt", () => {
    const d = diffState(olds("paused", { overrides: "until-next-edge" }), news({ overrides: "until-next-edge", powerState: "running" }));
    expect(d.needsTransition).toBe(true);
  });

  it("says when a manual change is being respected", () => {
    expect(diffState(olds("running", { overrides: "until-next-edge" }), news({ overrides: "until-next-edge" })).overridden).toBe(true);
    expect(diffState(olds("paused", { overrides: "until-next-edge" }), news({ overrides: "until-next-edge" })).overridden).toBeUndefined();
  });

  it("state written before schedules existed (no scheduledAt, no overrides) diffs as before", () => {
    const old = { ...base, powerState: "paused", observedState: "paused", rawStatus: "STOPPED" };
    expect(diffState(old, { ...base, powerState: "paused" })).toMatchObject({ changes: false, needsTransition: false });
    expect(diffState({ ...old, observedState: "running" }, { ...base, powerState: "paused" })).toMatchObject({ changes: true, needsTransition: true });
  });
});
