import { pollDelay, type WaitPolicy } from "../../src/core/transition";

/**
 * Poll schedules as pure functions of time, for the benchmark's model columns and charts. The
 * measured figures come from real runs against the emulator; these explain them and give the
 * lag averaged over where T falls between two polls (a single run only shows one phase).
 */

/** Terraform plugin-sdk `StateChangeConf` (MinTimeout 500 ms): first poll at once, then 0.5 s doubling to a 10 s cap. */
export const TERRAFORM_SCHEDULE = { firstGapMs: 500, factor: 2, maxGapMs: 10_000 } as const;

/** The gap before Terraform's poll number `poll` (0-based; poll 0 is immediate). */
export function terraformGap(poll: number, scale = 1): number {
  if (poll === 0) return 0;
  return Math.min(TERRAFORM_SCHEDULE.maxGapMs, TERRAFORM_SCHEDULE.firstGapMs * TERRAFORM_SCHEDULE.factor ** (poll - 1)) * scale;
}

/** Times (ms after the write) of polls until the first at or after `untilMs`. */
export function pollTimes(gap: (poll: number) => number, untilMs: number): number[] {
  const times: number[] = [];
  let t = 0;
  for (let i = 0; ; i++) {
    t += gap(i);
    times.push(t);
    if (t >= untilMs) return times;
    if (i > 100_000) throw new Error("schedule never reaches the horizon");
  }
}

export function terraformPollTimes(untilMs: number, scale = 1): number[] {
  return pollTimes((i) => terraformGap(i, scale), untilMs);
}

/** Our engine: the first poll `pollDelay(0)` after the write, then `pollDelay(i)` apart. */
export function enginePollTimes(policy: WaitPolicy, untilMs: number): number[] {
  return pollTimes((i) => pollDelay(i, policy), untilMs);
}

export interface Detection {
  /** Polls after the write up to and including the one that saw the target. */
  polls: number;
  /** Time from the cluster reaching the target to the poll that saw it. */
  lagMs: number;
}

/** Pure: which poll first sees a transition that completes `transitionMs` after the write. */
export function detect(times: readonly number[], transitionMs: number): Detection {
  const i = times.findIndex((t) => t >= transitionMs);
  if (i < 0) throw new Error("schedule ends before the transition");
  return { polls: i + 1, lagMs: times[i] - transitionMs };
}

export interface CallModel {
  /** Calls before the write (reading the current state). */
  before: number;
  /** Calls per poll. */
  perPoll: number;
}

/**
 * Terraform's providers (research §5.3 tencent, §4 zilliz): Tencent reads DescribeClusters +
 * DescribeClusterDetail before the write and on every poll; Zilliz's Update reads nothing before
 * the write (it uses the refreshed state) and one DescribeCluster per poll.
 */
export const TERRAFORM_CALLS: Record<"tencentcloud" | "zillizcloud", CallModel> = {
  tencentcloud: { before: 2, perPoll: 2 },
  zillizcloud: { before: 0, perPoll: 1 },
};

/** Ours, for one cluster alone: one describe before the write and one per poll. */
export const OUR_CALLS: CallModel = { before: 1, perPoll: 1 };

/** Pure: total calls of one transition (the write included). */
export function callsFor(model: CallModel, polls: number): number {
  return model.before + 1 + model.perPoll * polls;
}

/**
 * Pure: detection lag averaged over T in [T, T + spanMs): a fixed T lands at one phase between two
 * polls, which can flatter either schedule; the average does not.
 */
export function meanLag(times: (untilMs: number) => number[], transitionMs: number, spanMs: number, steps = 100): number {
  let sum = 0;
  for (let k = 0; k < steps; k++) {
    const t = transitionMs + (spanMs * k) / steps;
    sum += detect(times(t), t).lagMs;
  }
  return sum / steps;
}
