import type { ReliabilityRecord } from "../../tools/reliability/records";
import {
  Engine,
  resource,
  sleep,
  writeCalls,
  type CloudKit,
  type Emulator,
  type FaultRule,
  type Props,
  type RunningHost,
} from "./fixtures";

/**
 * One fault scenario = one fresh cluster, one engine state, one operation through the real
 * dynamic-provider host, then a follow-up (refresh + up with the fault gone) that must converge
 * without repeating a write for a cluster that already reached its target.
 */

export type Op = "pause" | "resume" | "read";

export interface CaseContext {
  emulator: Emulator;
  kit: CloudKit;
  op: Op;
  clusterId: string;
}

export interface Expectation {
  /** converged: outputs recorded at the target; partial: ErrorResourceInitFailed recorded; failed: nothing recorded (create) or state unchanged (read); gone: the resource left state. */
  outcome: "converged" | "partial" | "failed" | "gone";
  /** The cluster after the operation (settled): where it started, its target, still moving, or deleted. */
  final: "start" | "target" | "moving" | "gone";
  /** Exact pause/resume calls the cloud received for this cluster during the operation. */
  writes: number;
  /** Patterns the error text must match (cloud code, RequestId, our words). */
  error?: RegExp[];
}

export interface Scenario {
  name: string;
  ops: Op[];
  clouds?: Array<CloudKit["cloud"]>;
  timeoutSeconds?: number;
  /**
   * Its read case runs by itself: a lone refresh reads in detail, the call its rules target, while
   * refreshes that run together share a list call (see the status watcher) and never reach it.
   */
  readAlone?: boolean;
  rules?(c: CaseContext): FaultRule[];
  /** Runs after set-up, right before the operation (a skewed clock, expired keys). */
  before?(c: CaseContext): void;
  /** Runs alongside the operation, e.g. deletes the cluster once the write is accepted. */
  during?(c: CaseContext): Promise<void>;
  /** Puts the world right before the follow-up (fresh keys, a correct clock, time passing). */
  heal?(c: CaseContext): void | Promise<void>;
  expect(c: CaseContext): Expectation;
}

export interface CaseResult {
  record: ReliabilityRecord;
  clusterId: string;
  start: string;
  target: string;
  live: string;
  recorded: Props | undefined;
  gone: boolean;
  errorText: string;
  initFailed: boolean;
  /** The id in the host's ErrorResourceInitFailed detail (grpc-status-details-bin), if any. */
  partialId?: string;
  writes: number;
  followUp?: {
    refreshed?: string;
    /** The resource left state on refresh (the cluster is gone). */
    leftState: boolean;
    /** The cluster when the follow-up began. */
    liveBefore: string;
    live: string;
    observed?: string;
    writesBefore: number;
    writesAfter: number;
    error?: string;
  };
  /** Every text the user could see, for the canary scan. */
  texts: Record<string, string>;
}

const moving = (op: Op) => (op === "pause" ? "pausing" : "resuming");

export async function runCase(
  env: { emulator: Emulator; host: RunningHost; shim: string; settleMs: number },
  kit: CloudKit,
  op: Op,
  scenario: Scenario,
): Promise<CaseResult> {
  const { emulator, shim } = env;
  const start = op === "resume" ? "paused" : "running";
  const target = op === "pause" ? "paused" : "running";
  const clusterId = kit.newCluster(emulator, start);
  const ctx: CaseContext = { emulator, kit, op, clusterId };
  const engine = new Engine(env.host.host);
  const name = `${scenario.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}-${kit.cloud}-${op}`;
  const res = resource(name, { ...kit.inputs(clusterId), powerState: target, timeoutSeconds: scenario.timeoutSeconds ?? 20 }, shim);

  if (op === "read") {
    const [created] = await engine.up([res]);
    if (created.error) throw new Error(`setup of ${name} failed: ${created.error.message}`);
  }
  const writesBefore = writeCalls(emulator, kit, clusterId);
  emulator.faults.push(...(scenario.rules?.(ctx) ?? []));
  scenario.before?.(ctx);
  const during = scenario.during?.(ctx);
  const [step] = op === "read" ? await engine.refresh() : await engine.up([res]);
  await during;
  await sleep(env.settleMs);
  drainFaults(emulator, kit, clusterId);

  const entry = engine.state.get(res.urn);
  const errorText = step.error ? `${step.error.details}${step.error.initFailed ? ` | reasons: ${step.error.initFailed.reasons.join("; ")}` : ""}` : "";
  const result: CaseResult = {
    clusterId,
    start,
    target,
    live: kit.live(emulator, clusterId),
    recorded: entry?.outputs,
    gone: step.gone ?? false,
    errorText,
    initFailed: Boolean(step.error?.initFailed),
    partialId: step.error?.initFailed?.id,
    writes: writeCalls(emulator, kit, clusterId) - writesBefore,
    texts: {
      [`${name} error`]: errorText,
      [`${name} state`]: JSON.stringify(entry ?? null),
      [`${name} partial`]: JSON.stringify(step.error?.initFailed ?? null),
    },
    record: { kind: "fault", cloud: kit.cloud, operation: op === "read" ? "read (refresh)" : op, name: scenario.name, outcome: "" },
  };

  {
    await scenario.heal?.(ctx);
    await sleep(env.settleMs);
    const before = writeCalls(emulator, kit, clusterId);
    const liveBefore = kit.live(emulator, clusterId);
    const [refreshed] = engine.state.has(res.urn) ? await engine.refresh() : [undefined];
    // A deleted cluster: refresh is the whole follow-up (an up would rightly fail: nothing to manage).
    const [upped] = liveBefore === "gone" ? [undefined] : await engine.up([res]);
    await sleep(env.settleMs);
    result.followUp = {
      refreshed: refreshed?.after?.observedState as string | undefined,
      leftState: refreshed?.gone ?? false,
      liveBefore,
      live: kit.live(emulator, clusterId),
      observed: engine.state.get(res.urn)?.outputs.observedState as string | undefined,
      writesBefore: before,
      writesAfter: writeCalls(emulator, kit, clusterId),
      error: refreshed?.error?.details ?? upped?.error?.details,
    };
    // What refresh saw must be what was there (it ran before anything else moved the cluster).
    if (refreshed?.after && refreshed.after.observedState !== liveBefore) {
      result.followUp.error = `refresh said ${String(refreshed.after.observedState)} while the cluster was ${liveBefore}`;
    }
    result.texts[`${name} follow-up`] = JSON.stringify({ refreshed: refreshed ?? null, upped });
  }

  result.record = {
    ...result.record,
    outcome: describeOutcome(result, op),
    finalState: result.live,
    recorded: describeRecorded(result, op),
    // The partial result's reasons repeat the message; the record keeps the message.
    error: result.errorText ? shorten(result.errorText.split(" | reasons: ")[0]) : undefined,
    writeCalls: result.writes,
  };
  return result;
}

/** Removes rules a scenario left for this cluster, so the follow-up runs without faults. */
function drainFaults(emulator: Emulator, kit: CloudKit, clusterId: string): void {
  for (const action of [...kit.writeActions, kit.describeAction, "DescribeFlow", "DescribeClusters", "list"]) {
    while (emulator.faults.take({ cloud: kit.cloud, action, clusterId })) {
      /* drained */
    }
  }
}

function describeOutcome(r: CaseResult, op: Op): string {
  if (r.gone) return "resource left state (cluster gone)";
  if (!r.errorText) return op === "read" ? "refreshed" : "converged";
  if (r.initFailed) return "failed clearly, partial result recorded";
  return op === "read" ? "failed clearly, state unchanged" : "failed clearly, nothing recorded";
}

function describeRecorded(r: CaseResult, op: Op): string {
  if (r.gone) return "removed from state";
  if (!r.recorded) return "nothing";
  const o = r.recorded;
  const bits = [`observedState=${String(o.observedState)}`];
  if (o.lastOperation) bits.push(`lastOperation=${String(o.lastOperation)}`);
  if (o.flowId !== undefined) bits.push(`flowId=${String(o.flowId)}`);
  if (o.requestId) bits.push("requestId");
  return (r.errorText && op !== "read" ? "partial: " : "outputs: ") + bits.join(", ");
}

function shorten(text: string): string {
  const line = text.split("\n")[0];
  return line.length > 220 ? `${line.slice(0, 217)}...` : line;
}

/** The expected final state as a live value. */
export function expectedLive(e: Expectation, r: CaseResult, op: Op): string[] {
  switch (e.final) {
    case "start":
      return [r.start];
    case "target":
      return [r.target];
    case "moving":
      return [moving(op)];
    case "gone":
      return ["gone"];
  }
}
