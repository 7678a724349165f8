import { describe, expect, it } from "vitest";
import { DEFAULT_WAIT_POLICY } from "../src/core/transition";
import { OUR_CALLS, TERRAFORM_CALLS, callsFor, detect, enginePollTimes, meanLag, terraformGap, terraformPollTimes } from "../tools/bench/schedules";
import { maxInWindow } from "../tools/bench/fleet";
import { mean, phaseLag, phaseTransitionMs } from "../tools/bench/transition-bench";

describe("benchmark schedule model (pure)", () => {
  it("replays plugin-sdk's schedule: at once, then 0.5 s doubling to a 10 s cap", () => {
    expect(Array.from({ length: 8 }, (_, i) => terraformGap(i))).toEqual([0, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(terraformPollTimes(16_000)).toEqual([0, 500, 1500, 3500, 7500, 15_500, 25_500]);
    expect(terraformGap(3, 0.05)).toBeCloseTo(100);
  });

  it("finds the poll that sees the transition and its lag", () => {
    expect(detect(terraformPollTimes(300_000), 300_000)).toEqual({ polls: 35, lagMs: 5500 });
    expect(detect([1000, 3000, 7000], 3000)).toEqual({ polls: 2, lagMs: 0 });
    expect(() => detect([1000], 5000)).toThrow();
  });

  it("counts Terraform's Tencent calls as two per poll plus two reads and the write", () => {
    const polls = detect(terraformPollTimes(60_000), 60_000).polls;
    expect(callsFor(TERRAFORM_CALLS.tencentcloud, polls)).toBe(2 + 1 + 2 * polls);
    expect(callsFor(TERRAFORM_CALLS.zillizcloud, polls)).toBe(1 + polls);
  });

  it("our default schedule needs at most half of Terraform's Tencent calls with no more mean lag", () => {
    for (const t of [5_000, 60_000, 300_000]) {
      const ours = detect(enginePollTimes(DEFAULT_WAIT_POLICY, t), t);
      const theirs = detect(terraformPollTimes(t), t);
      expect(callsFor(OUR_CALLS, ours.polls)).toBeLessThanOrEqual(callsFor(TERRAFORM_CALLS.tencentcloud, theirs.polls) / 2);
      const oursMean = meanLag((u) => enginePollTimes(DEFAULT_WAIT_POLICY, u), t, 10_000);
      const theirsMean = meanLag((u) => terraformPollTimes(u), t, 10_000);
      expect(oursMean).toBeLessThanOrEqual(theirsMean + 1e-9);
    }
  });

  it("counts the most events in any window; phases span one poll gap and are averaged", () => {
    expect(maxInWindow([0, 100, 999, 1000, 1500, 1999], 1000)).toBe(3);
    expect(maxInWindow([1999, 1000, 1500, 1200], 1000)).toBe(4);
    expect(maxInWindow([], 1000)).toBe(0);
    expect(mean([3, 1, 2])).toBe(2);
    expect(mean([4, 1, 3, 2])).toBe(2.5);
    // 4 phases of T = 60 s at scale 0.1: 60, 62.5, 65, 67.5 s, scaled to ms.
    expect([0, 1, 2, 3].map((rep) => phaseTransitionMs(60, rep, 4, 0.1))).toEqual([6000, 6250, 6500, 6750]);
  });

  it("averages a run's lag over the phase window from its own poll instants", () => {
    // Polls every 10 s from 5.5 s; the window 60..70 s holds 65.5: finishes in 60..65.5 wait for
    // it, finishes in 65.5..70 wait for 75.5. Mean (5.5^2/2 + (10^2 - 5.5^2)/2) / 10 = 5 s, plus
    // the 40 ms the last answer took to come back.
    const polls = [5_500, 15_500, 25_500, 35_500, 45_500, 55_500, 65_500, 75_500];
    const run = phaseLag({ writeAt: 0, polls, returnedAt: 75_540, windowMs: [60_000, 70_000] });
    expect(run.expectedLagMs).toBeCloseTo(5_040, 6);
    expect(run.finalGapMs).toBe(10_000);
    // The same polls shifted by a constant give the same average: a phase shift is no lag.
    const shifted = phaseLag({ writeAt: 0, polls: polls.map((t) => t + 3_000), returnedAt: 78_540, windowMs: [60_000, 70_000] });
    expect(shifted.expectedLagMs).toBeCloseTo(5_040, 6);
    // Gaps that grow by a call latency each poll (Terraform sleeps after the call) cost lag: here
    // 65.5 s has slipped to 66.1 s and 75.5 s to 76.2 s.
    const drifting = phaseLag({ writeAt: 0, polls: polls.map((t, i) => t + 100 * i), returnedAt: 76_240, windowMs: [60_000, 70_000] });
    expect(drifting.expectedLagMs).toBeCloseTo((6_100 ** 2 / 2 + (10_100 ** 2 - 6_200 ** 2) / 2) / 10_000 + 40, 6);
    expect(drifting.expectedLagMs!).toBeGreaterThan(run.expectedLagMs!);
  });

  it("has no whole-window figure for a run whose polls stop inside the window", () => {
    const run = phaseLag({ writeAt: 1_000, polls: [6_500, 16_500, 26_500], returnedAt: 26_520, windowMs: [20_000, 30_000] });
    expect(run.expectedLagMs).toBeUndefined();
    expect(run.finalGapMs).toBe(10_000);
  });
});
