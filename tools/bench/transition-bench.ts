import { createTencentDriver } from "../../src/clouds/tencent";
import { createZillizDriver } from "../../src/clouds/zilliz";
import type { BuiltInCloud as CloudName } from "../../src/clouds";
import type { CloudDriver } from "../../src/core/power";
import { sleep } from "../../src/core/retry";
import { DEFAULT_WAIT_POLICY, scaledPolicy, transition } from "../../src/core/transition";
import { StatusWatcher, watcherPacingFor } from "../../src/core/watcher";
import type { Emulator } from "../../src/emulator/server";
import { keyFingerprint } from "../../src/clouds/zilliz/config";
import { OUR_CALLS, TERRAFORM_CALLS, callsFor, detect, enginePollTimes, meanLag, terraformPollTimes } from "./schedules";
import { terraformTransition } from "./terraform";

/**
 * Part 2: one transition of T seconds, ours against Terraform's schedule, side by side on the same
 * emulator (separate accounts, so neither shares a quota lane with the other). Figures are
 * converted back to unscaled seconds.
 */

export const TRANSITION_TS = [5, 60, 300] as const;
/** Reps spread T over this many seconds (Terraform's and our poll cap). */
export const PHASE_SPAN_S = 10;

export interface TransitionRow {
  cloud: CloudName;
  transitionS: number;
  runner: "ours" | "terraform";
  /** Requests the emulator logged for this run's account, by action. */
  calls: number;
  byAction: Record<string, number>;
  /** Cluster reached the target -> the operation returned, unscaled seconds (mean of the reps: phases spread evenly over one poll gap). */
  lagS: number;
  /** Every rep's lag. */
  lagsS: number[];
  /**
   * The lag this run's measured poll instants give, averaged over every finish time in the phase
   * window (phaseLag); mean over the reps whose polls span the window. Free of the raw mean's
   * quantisation: one phase that lands on the other side of a poll moves that by a whole gap / reps.
   */
  phaseLagS: number;
  /** Mean gap between the last two polls (unscaled s): where call latency shows if it piles up. */
  finalGapS: number;
  /** The schedule model: calls and lag at exactly T, and lag averaged over T..T+10 s. */
  model: { calls: number; lagS: number; meanLagS: number };
  rateLimited: number;
}

export interface TransitionBenchSetup {
  emulator: Emulator;
  scale: number;
  /** Runs of each (cloud, runner, T), one per phase, all at once; rows report the mean. */
  reps: number;
  tencentKey(runner: string, t: number, rep: number): { secretId: string; secretKey: string };
  zillizKey(runner: string, t: number, rep: number): string;
  tencentCluster(runner: string, t: number, rep: number): string;
  zillizCluster(runner: string, t: number, rep: number): string;
}

/**
 * A fixed T lands at one phase between two polls, which can flatter either schedule by up to a
 * whole poll gap. Rep k of T runs a transition of T + k * 10 s / reps (spanning the 10 s cap), the
 * same for both sides, so the mean over the reps estimates the lag averaged over every phase.
 * Each rep's cluster carries its own duration, so all reps run at once.
 */
export function phaseTransitionMs(t: number, rep: number, reps: number, scale: number): number {
  return (t + (PHASE_SPAN_S * rep) / reps) * 1000 * scale;
}

export function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

export async function runTransitionBench(setup: TransitionBenchSetup): Promise<TransitionRow[]> {
  const { emulator, scale } = setup;
  const policy = scaledPolicy(DEFAULT_WAIT_POLICY, scale);
  const rows: TransitionRow[] = [];
  for (const t of TRANSITION_TS) {
    const byKey = new Map<string, TransitionRow[]>();
    const runs: Array<Promise<TransitionRow>> = [];
    for (let rep = 0; rep < setup.reps; rep++) {
      // The clusters were seeded with this duration (phaseTransitionMs); it also dates the target.
      const transitionMs = phaseTransitionMs(t, rep, setup.reps, scale);
      for (const cloud of ["tencentcloud", "zillizcloud"] as const) {
        for (const runner of ["ours", "terraform"] as const) {
          // Starts spread over one poll gap, so the runs' polls take turns instead of all landing
          // on the same instant and queueing behind each other in this one process.
          const startMs = (PHASE_SPAN_S * 1000 * scale * runs.length) / (setup.reps * 4);
          runs.push(sleep(startMs).then(() => runOne(setup, cloud, runner, t, rep, transitionMs, policy)));
        }
      }
    }
    for (const row of await Promise.all(runs)) {
      const key = `${row.cloud}|${row.runner}`;
      byKey.set(key, [...(byKey.get(key) ?? []), row]);
    }
    for (const repRows of byKey.values()) {
      rows.push({
        ...repRows[0],
        calls: mean(repRows.map((r) => r.calls)),
        lagS: mean(repRows.map((r) => r.lagS)),
        lagsS: repRows.map((r) => r.lagS),
        phaseLagS: mean(repRows.map((r) => r.phaseLagS).filter((v) => !Number.isNaN(v))),
        finalGapS: mean(repRows.map((r) => r.finalGapS)),
        rateLimited: repRows.reduce((sum, r) => sum + r.rateLimited, 0),
      });
    }
  }
  return rows;

  async function runOne(
    s: TransitionBenchSetup,
    cloud: CloudName,
    runner: "ours" | "terraform",
    t: number,
    rep: number,
    transitionMs: number,
    enginePolicy: typeof policy,
  ): Promise<TransitionRow> {
    let driver: CloudDriver;
    let caller: string;
    let clusterId: string;
    if (cloud === "tencentcloud") {
      const key = s.tencentKey(runner, t, rep);
      driver = createTencentDriver({ region: "ap-guangzhou", endpoint: emulator.url, credentials: key, env: {} });
      caller = key.secretId;
      clusterId = s.tencentCluster(runner, t, rep);
    } else {
      const key = s.zillizKey(runner, t, rep);
      driver = createZillizDriver({ endpoint: emulator.url, apiKey: key, env: {} });
      caller = keyFingerprint(key);
      clusterId = s.zillizCluster(runner, t, rep);
    }
    if (runner === "ours") {
      const watcher = new StatusWatcher(driver, watcherPacingFor(scale));
      const result = await transition(driver, clusterId, "paused", {
        wait: true,
        deadline: Date.now() + transitionMs * 3 + 60_000,
        policy: enginePolicy,
        read: (id, signal) => watcher.read(id, signal),
      });
      if (!result.reachedTarget) throw new Error(`ours did not reach the target on ${clusterId}`);
    } else {
      const snapshot = await terraformTransition(driver, clusterId, "paused", scale);
      if (snapshot.power !== "paused") throw new Error(`terraform replay ended in ${snapshot.power} on ${clusterId}`);
    }
    const returnedAt = Date.now();
    const mine = emulator.log.find({ cloud }).filter((e) => e.caller === caller);
    const write = mine.find((e) => e.action === "PauseServerless" || e.action === "suspend");
    if (!write) throw new Error(`no write logged for ${clusterId}`);
    const deciding = decidingReads(cloud, runner);
    const polls = mine.filter((e) => e.at >= write.at && e !== write && deciding.has(e.action)).map((e) => e.at);
    const phase = phaseLag({ writeAt: write.at, polls, returnedAt, windowMs: [t * 1000 * scale, (t + PHASE_SPAN_S) * 1000 * scale] });
    const byAction: Record<string, number> = {};
    for (const e of mine) byAction[e.action] = (byAction[e.action] ?? 0) + 1;
    const unscaledT = t * 1000;
    const times = runner === "ours" ? (u: number) => enginePollTimes(DEFAULT_WAIT_POLICY, u) : (u: number) => terraformPollTimes(u);
    const exact = detect(times(unscaledT), unscaledT);
    const callModel = runner === "ours" ? OUR_CALLS : TERRAFORM_CALLS[cloud];
    return {
      cloud,
      transitionS: t,
      runner,
      calls: mine.length,
      byAction,
      lagS: (returnedAt - (write.at + transitionMs)) / scale / 1000,
      lagsS: [],
      phaseLagS: phase.expectedLagMs === undefined ? NaN : phase.expectedLagMs / scale / 1000,
      finalGapS: phase.finalGapMs / scale / 1000,
      model: {
        calls: callsFor(callModel, exact.polls),
        lagS: exact.lagMs / 1000,
        meanLagS: meanLag(times, unscaledT, 10_000) / 1000,
      },
      rateLimited: mine.filter((e) => e.outcome === "RequestLimitExceeded" || e.outcome === "RateLimited").length,
    };
  }
}

/**
 * The reads whose answer decides a poll: Terraform's Tencent replay reads DescribeClusters then
 * DescribeClusterDetail and decides on the second; ours makes one read per poll (DescribeFlow is
 * a job query, not a poll).
 */
function decidingReads(cloud: CloudName, runner: "ours" | "terraform"): Set<string> {
  if (cloud === "zillizcloud") return new Set(["describe", "list"]);
  return runner === "terraform" ? new Set(["DescribeClusterDetail"]) : new Set(["DescribeClusterDetail", "DescribeClusters"]);
}

export interface PhaseLagInput {
  /** Emulator times (ms) of the write and of every deciding poll after it, and when the operation returned. */
  writeAt: number;
  polls: number[];
  returnedAt: number;
  /** The phase window the reps spread the transition over, ms after the write. */
  windowMs: [number, number];
}

/**
 * Pure: the lag this run's own poll instants give, averaged over every finish time in the phase
 * window: a finish at E is seen by the first poll at or after E, and the answer takes as long to
 * come back as this run's last one did. Only a run whose polls reach past the window's end (its
 * cluster finished in the window's last poll gap) has the instants for the whole window; others
 * give undefined. `finalGapMs` is the gap between the last two polls, where latency that piles
 * up would show.
 */
export function phaseLag(input: PhaseLagInput): { expectedLagMs?: number; finalGapMs: number } {
  const polls = [...input.polls].sort((a, b) => a - b);
  if (polls.length === 0) throw new Error("no poll after the write");
  const last = polls[polls.length - 1];
  const finalGapMs = last - (polls.length > 1 ? polls[polls.length - 2] : input.writeAt);
  const from = input.writeAt + input.windowMs[0];
  const to = input.writeAt + input.windowMs[1];
  if (last < to) return { finalGapMs };
  let area = 0;
  let previous = input.writeAt;
  for (const poll of polls) {
    // Finishes in (previous, poll] are seen at `poll`: integrate poll - E over that part of the window.
    const a = Math.max(previous, from);
    const b = Math.min(poll, to);
    if (b > a) area += ((poll - a) ** 2 - (poll - b) ** 2) / 2;
    previous = poll;
  }
  const answerMs = input.returnedAt - last;
  return { expectedLagMs: area / (to - from) + answerMs, finalGapMs };
}
