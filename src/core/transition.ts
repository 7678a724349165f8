import { CloudApiError, describeError, TransitionError } from "./errors";
import { timerMs } from "./deadline";
import {
  operationFor,
  transitionalStateOf,
  type AsyncOperationStatus,
  type ClusterSnapshot,
  type CloudDriver,
  type Operation,
  type TargetPowerState,
  type WriteReceipt,
} from "./power";
import { sleep } from "./retry";
import { TransportError } from "./http";

/**
 * The cloud-independent pause/resume algorithm: read, decide, write at most what is needed,
 * then wait for the target steady state under a deadline. Every decision, the poll schedule
 * included, is pure (`step`) so it can be tested without I/O; `transition` only performs it.
 */

export type Decision =
  | { kind: "done" }
  | { kind: "write"; operation: Operation }
  | { kind: "wait"; why: string }
  | { kind: "fail"; reason: "unsupported" | "failed-state"; message: string };

export function decide(snapshot: ClusterSnapshot, target: TargetPowerState): Decision {
  if (snapshot.unsupportedReason) return { kind: "fail", reason: "unsupported", message: snapshot.unsupportedReason };
  if (snapshot.failureReason) return { kind: "fail", reason: "failed-state", message: snapshot.failureReason };
  if (snapshot.power === target) return { kind: "done" };
  if (snapshot.power === transitionalStateOf(target)) return { kind: "wait", why: `already ${snapshot.power}` };
  if (snapshot.power === "running" || snapshot.power === "paused") return { kind: "write", operation: operationFor(target) };
  // Moving the other way, or busy with something we cannot name: let it settle, then decide again.
  return { kind: "wait", why: `cluster is ${snapshot.power} (${snapshot.rawStatus})` };
}

export interface WaitPolicy {
  /** Delay before the first poll after a write. */
  firstDelayMs: number;
  /** Each later delay is the previous times `factor`, capped at `maxDelayMs`. */
  factor: number;
  maxDelayMs: number;
  /**
   * Reads after our write that may still show the old steady state before we suspect the write
   * did not take (clouds report a transition with a short lag).
   */
  graceReads: number;
  /** Ask the cloud's job status (if it has one) every this many polls. */
  operationStatusEvery: number;
  /** At most this many write calls per transition (a cluster flipped back out of band is re-sent). */
  maxWrites: number;
}

/**
 * 0.5 s doubling to a 10 s cap: the poll instants of Terraform's schedule (plugin-sdk
 * StateChangeConf), kept to the clock from the write (`nextPollAt`) where Terraform's slip by
 * one call latency per poll, so a transition is not seen later than Terraform would see it,
 * whatever its length. Each of our polls is one call (one batched read through the status
 * watcher) where Terraform's providers may make two per poll plus an immediate extra one.
 */
export const DEFAULT_WAIT_POLICY: WaitPolicy = {
  firstDelayMs: 500,
  factor: 2,
  maxDelayMs: 10000,
  graceReads: 5,
  operationStatusEvery: 3,
  maxWrites: 3,
};

/**
 * Tests, the demo and the benchmark run the clouds' minutes as seconds: a scaled policy (e.g.
 * 0.01) shortens every wait delay together with the emulator's transition time.
 */
export function scaledPolicy(policy: WaitPolicy, scale: number): WaitPolicy {
  if (!(scale > 0) || scale === 1) return policy;
  return { ...policy, firstDelayMs: policy.firstDelayMs * scale, maxDelayMs: policy.maxDelayMs * scale };
}

/** Pure: the delay before poll number `poll` (0-based) of a wait. */
export function pollDelay(poll: number, policy: WaitPolicy): number {
  return Math.min(policy.maxDelayMs, Math.round(policy.firstDelayMs * policy.factor ** poll));
}

/**
 * Pure: when the next poll is due. Polls keep to the schedule counted from the write, so neither
 * call latency nor timer lateness piles up into detection lag (Terraform sleeps after each call
 * returns, so its k-th poll comes k call latencies late). A call that overran its gap is followed
 * at once, and the schedule goes on from there rather than catching up in a burst.
 */
export function nextPollAt(previousDueAt: number, gapMs: number, nowMs: number): number {
  return Math.max(previousDueAt + gapMs, nowMs);
}

export interface TransitionOptions {
  /** Wait for the target steady state (default). Without it we return once the write is accepted. */
  wait: boolean;
  /** Absolute deadline (ms since epoch) for the whole transition. */
  deadline: number;
  /** Handed to `driver.write` untouched: each cloud reads its own keys (e.g. a force switch). */
  writeOptions?: Readonly<Record<string, unknown>>;
  signal?: AbortSignal;
  /** Defaults to DEFAULT_WAIT_POLICY; tests and the demo pass a scaled one. */
  policy?: WaitPolicy;
  /**
   * How to read the cluster while waiting. Defaults to `driver.describe`; a process-wide status
   * watcher can supply a batched reader instead.
   */
  read?: (clusterId: string, signal: AbortSignal) => Promise<ClusterSnapshot>;
  now?: () => number;
  onProgress?: (snapshot: ClusterSnapshot) => void;
  /** Called as soon as the cloud accepts a pause/resume, before the wait. */
  onWrite?: (receipt: WriteReceipt) => void;
}

export interface TransitionResult {
  /** The last reading; never a state we did not observe. */
  snapshot: ClusterSnapshot;
  /** The last write call we made, if any. */
  receipt?: WriteReceipt;
  writeCalls: number;
  /** True when `snapshot.power` equals the target. */
  reachedTarget: boolean;
}

/*
 * The transition is a pure state machine (`step`) driven by a thin async loop (`transition`).
 * Every decision — what to call next, when to poll, when to give up and with which words — lives
 * in `step`, so each fault scenario is a list of events and the actions they must produce, tested
 * without timers or I/O. The loop only performs an action and reports its outcome as an event.
 */

/** What does not change during one transition. */
export interface TransitionContext {
  clusterId: string;
  target: TargetPowerState;
  wait: boolean;
  deadline: number;
  policy: WaitPolicy;
  /** Whether the driver can tell a job's status (`operationStatus`); only then do we ask. */
  canAskStatus: boolean;
}

export interface TransitionState {
  /** The last accepted write: a failure must hand it back so the started operation is not forgotten. */
  receipt?: WriteReceipt;
  /** Carried into every failure so the caller sees where the cluster was. */
  lastSnapshot?: ClusterSnapshot;
  writeCalls: number;
  /** Polls since the last accepted write (or the start): indexes the backoff and the job-status cadence. */
  poll: number;
  /** When the last poll was due: polls keep to the schedule from the write, not from each call's return. */
  dueAt: number;
  /** Reads since our last write that still showed the old steady state. */
  staleReads: number;
  /** A write whose response was lost: it may or may not have been applied. */
  writeInDoubt: boolean;
  /** A write that was sent and never answered (in flight at the deadline, or its answer lost). */
  unanswered?: Operation;
  /** Why the last write's answer was lost; told if the writes run out, so the cloud's code is not lost. */
  lostAnswer?: unknown;
  /** The cloud's last refusal of a write because of the cluster's state; told if the writes run out. */
  lastRefusal?: unknown;
  /** Without wait, the read after an accepted write is the answer, whatever it shows. */
  finalRead: boolean;
}

/** Outcomes of actions, as the loop observed them. `now` is taken after any progress callback. */
export type TransitionEvent =
  | { type: "read"; snapshot: ClusterSnapshot; now: number }
  | { type: "wrote"; receipt: WriteReceipt; sentAt: number; now: number }
  | {
      type: "write-failed";
      error: unknown;
      /** `driver.isStateConflict(error)`: the cluster moved between our read and our write. */
      stateConflict: boolean;
      sentAt: number;
      now: number;
    } & CallFailureFacts
  | { type: "status"; status: AsyncOperationStatus; now: number }
  /** A read or job-status call threw. */
  | ({ type: "call-failed"; error: unknown } & CallFailureFacts)
  /** `aborted`: the caller's signal fired (a deadline timer firing early is judged by `now`). */
  | { type: "slept"; aborted: boolean; now: number };

/** Why a call may have failed, which only the loop's signals can tell. */
export interface CallFailureFacts {
  /** The caller's own signal fired. */
  aborted: boolean;
  /** The deadline's timer fired. */
  expired: boolean;
}

export type TransitionAction =
  | { kind: "read" }
  | { kind: "write"; operation: Operation }
  | { kind: "ask-status"; receipt: WriteReceipt }
  /** Sleep until this instant (already capped at the deadline), or until aborted. */
  | { kind: "sleep"; until: number }
  | { kind: "return"; result: TransitionResult }
  | {
      kind: "throw";
      reason: TransitionError["reason"];
      message: string;
      receipt?: WriteReceipt;
      lastSnapshot?: ClusterSnapshot;
      cause?: unknown;
    };

export interface TransitionStep {
  state: TransitionState;
  action: TransitionAction;
}

/** The state before the first read; the first action is always a read (`FIRST_ACTION`). */
export function initialState(now: number): TransitionState {
  // The first read starts the poll schedule, as a write does later.
  return { writeCalls: 0, poll: 0, dueAt: now, staleReads: 0, writeInDoubt: false, finalRead: false };
}

export const FIRST_ACTION: TransitionAction = { kind: "read" };

/** Pure: the next state and action, given what the last action came to. */
export function step(state: TransitionState, event: TransitionEvent, ctx: TransitionContext): TransitionStep {
  switch (event.type) {
    case "read":
      return onRead({ ...state, lastSnapshot: event.snapshot }, event.snapshot, event.now, ctx);

    case "wrote": {
      const s: TransitionState = { ...state, dueAt: event.sentAt, receipt: event.receipt, writeInDoubt: false, unanswered: undefined, lostAnswer: undefined, lastRefusal: undefined };
      // Report what the cloud says now, not what we hope it will say.
      if (!ctx.wait) return { state: { ...s, finalRead: true }, action: { kind: "read" } };
      return pause({ ...s, poll: 0 }, event.now, ctx);
    }

    case "write-failed": {
      const sentUnanswered = event.error instanceof TransportError && event.error.sent;
      const s: TransitionState = { ...state, dueAt: event.sentAt, unanswered: sentUnanswered ? state.unanswered : undefined };
      // The cluster moved between our read and our write: read again and decide.
      if (event.stateConflict) return pause({ ...s, lastRefusal: event.error }, event.now, ctx);
      // The response was lost; the write may have happened. Never re-send blindly: read first.
      if (sentUnanswered && !event.aborted && !event.expired) return pause({ ...s, writeInDoubt: true, lostAnswer: event.error }, event.now, ctx);
      return callFailure(s, event, ctx);
    }

    case "status": {
      const { receipt, lastSnapshot } = state;
      if (event.status === "failed") {
        return failWith(
          state,
          "operation-failed",
          `${ctx.clusterId}: the ${receipt?.operation} operation (flow ${receipt?.flowId ?? "?"}, RequestId ${receipt?.requestId}) failed in the cloud; the cluster is ${lastSnapshot?.power} (${lastSnapshot?.rawStatus})`,
        );
      }
      // The job is still running: an old steady state is lag, not a lost write (some list APIs
      // show only steady states), so it does not use up the grace reads.
      return pause(event.status === "running" ? { ...state, staleReads: 0 } : state, event.now, ctx);
    }

    case "call-failed":
      return callFailure(state, event, ctx);

    case "slept":
      if (event.aborted) return failWith(state, "aborted", `${ctx.clusterId}: aborted`);
      if (ctx.deadline - event.now <= 0) return deadlineFailure(state, ctx);
      return { state, action: { kind: "read" } };
  }
}

function onRead(state: TransitionState, snapshot: ClusterSnapshot, now: number, ctx: TransitionContext): TransitionStep {
  const { policy, target } = ctx;
  const result = (reachedTarget: boolean): TransitionStep => ({
    state,
    action: { kind: "return", result: { snapshot, receipt: state.receipt, writeCalls: state.writeCalls, reachedTarget } },
  });
  if (state.finalRead) return result(snapshot.power === target);

  const decision = decide(snapshot, target);
  if (decision.kind === "done") return result(true);
  if (decision.kind === "fail") return failWith(state, decision.reason, `${ctx.clusterId}: ${decision.message}`);

  if (decision.kind === "wait") {
    const s = { ...state, staleReads: 0 };
    const towardTarget = snapshot.power === transitionalStateOf(target);
    if (!ctx.wait && towardTarget) return result(false);
    // Progress the cluster shows needs no job status: ask only when its own state cannot tell.
    if (!towardTarget && s.receipt && ctx.canAskStatus && s.poll % policy.operationStatusEvery === policy.operationStatusEvery - 1) {
      return { state: s, action: { kind: "ask-status", receipt: s.receipt } };
    }
    return pause(s, now, ctx);
  }

  // decision.kind === "write": the cluster sits in the opposite steady state.
  if ((state.receipt || state.writeInDoubt) && state.staleReads < policy.graceReads) {
    const s = { ...state, staleReads: state.staleReads + 1 };
    // The old state may be lag (some list views show only steady states). Ask the job once the
    // grace reads run out rather than on every read: with hundreds of clusters waiting, a
    // per-read job query would be the one call the status watcher cannot batch.
    if (s.staleReads >= policy.graceReads && s.receipt && ctx.canAskStatus) return { state: s, action: { kind: "ask-status", receipt: s.receipt } };
    return pause(s, now, ctx);
  }
  if (state.writeCalls >= policy.maxWrites) {
    // Keep the cloud's last word (its code and RequestId), whichever way the last call ended.
    const last = state.lostAnswer
      ? `; the last one got no usable answer: ${describeError(state.lostAnswer)}`
      : state.lastRefusal
        ? `; the last one was refused: ${describeError(state.lastRefusal)}`
        : "";
    return failWith(
      state,
      "operation-failed",
      `${ctx.clusterId}: still ${snapshot.power} (${snapshot.rawStatus}) after ${state.writeCalls} ${decision.operation} calls${last}`,
      state.lostAnswer ?? state.lastRefusal,
    );
  }
  // Counted as unanswered until the cloud answers, so a deadline meanwhile says it may still apply.
  return {
    state: { ...state, writeCalls: state.writeCalls + 1, staleReads: 0, unanswered: decision.operation },
    action: { kind: "write", operation: decision.operation },
  };
}

/** Schedules the next poll, or gives up if the deadline has passed. */
function pause(state: TransitionState, now: number, ctx: TransitionContext): TransitionStep {
  if (ctx.deadline - now <= 0) return deadlineFailure(state, ctx);
  const dueAt = nextPollAt(state.dueAt, pollDelay(state.poll, ctx.policy), now);
  return { state: { ...state, dueAt, poll: state.poll + 1 }, action: { kind: "sleep", until: Math.min(dueAt, ctx.deadline) } };
}

/** A call threw: the caller's abort wins, then the deadline, else it is the cloud's error. */
function callFailure(state: TransitionState, event: { error: unknown } & CallFailureFacts, ctx: TransitionContext): TransitionStep {
  if (event.aborted) return failWith(state, "aborted", `${ctx.clusterId}: aborted`, event.error);
  if (event.expired) return deadlineFailure(state, ctx, event.error);
  return failWith(state, "cloud-error", `${ctx.clusterId}: ${describeError(event.error)}`, event.error);
}

function deadlineFailure(state: TransitionState, ctx: TransitionContext, cause?: unknown): TransitionStep {
  const { lastSnapshot, receipt, unanswered } = state;
  return failWith(
    state,
    "deadline",
    `${ctx.clusterId}: did not reach "${ctx.target}" before the deadline; last seen ${lastSnapshot ? `${lastSnapshot.power} (${lastSnapshot.rawStatus})` : "nothing"}` +
      (receipt
        ? `; the ${receipt.operation} call (RequestId ${receipt.requestId}) was accepted and may still complete`
        : unanswered
          ? `; a ${unanswered} call was sent but its answer never arrived, so it may still take effect`
          : "") +
      // A refusal retried until the deadline (a rate limit, say): say what the cloud kept answering.
      (cause instanceof CloudApiError ? `; the cloud's last answer: ${describeError(cause)}` : ""),
    cause,
  );
}

/** Every failure carries the receipt and last reading, so no started operation is forgotten. */
function failWith(state: TransitionState, reason: TransitionError["reason"], message: string, cause?: unknown): TransitionStep {
  return { state, action: { kind: "throw", reason, message, receipt: state.receipt, lastSnapshot: state.lastSnapshot, cause } };
}

/** Runs `step` against the cloud: performs each action and feeds back what came of it. */
export async function transition(
  driver: CloudDriver,
  clusterId: string,
  target: TargetPowerState,
  options: TransitionOptions,
): Promise<TransitionResult> {
  const now = options.now ?? Date.now;
  // AbortSignal.timeout takes whole milliseconds only, and no more than a timer can hold.
  const deadlineSignal = AbortSignal.timeout(Math.max(1, timerMs(options.deadline - now())));
  const signal = options.signal ? AbortSignal.any([options.signal, deadlineSignal]) : deadlineSignal;
  const read = options.read ?? ((id: string, s: AbortSignal) => driver.describe(id, s));
  const writeOptions = (options.writeOptions ?? {}) as Parameters<CloudDriver["write"]>[2];
  const ctx: TransitionContext = {
    clusterId,
    target,
    wait: options.wait,
    deadline: options.deadline,
    policy: options.policy ?? DEFAULT_WAIT_POLICY,
    canAskStatus: driver.operationStatus !== undefined,
  };
  const facts = (): CallFailureFacts => ({ aborted: options.signal?.aborted === true, expired: deadlineSignal.aborted });

  // Callbacks run outside the try blocks: a throwing callback is the caller's bug, not a cloud error.
  const perform = async (action: Exclude<TransitionAction, { kind: "return" | "throw" }>): Promise<TransitionEvent> => {
    switch (action.kind) {
      case "read": {
        let snapshot: ClusterSnapshot;
        try {
          snapshot = await read(clusterId, signal);
        } catch (error) {
          return { type: "call-failed", error, ...facts() };
        }
        options.onProgress?.(snapshot);
        return { type: "read", snapshot, now: now() };
      }
      case "write": {
        const sentAt = now();
        let receipt: WriteReceipt;
        try {
          receipt = await driver.write(action.operation, clusterId, writeOptions, signal);
        } catch (error) {
          return { type: "write-failed", error, stateConflict: driver.isStateConflict(error), sentAt, now: now(), ...facts() };
        }
        options.onWrite?.(receipt);
        return { type: "wrote", receipt, sentAt, now: now() };
      }
      case "ask-status":
        try {
          return { type: "status", status: await driver.operationStatus!(action.receipt, signal), now: now() };
        } catch (error) {
          return { type: "call-failed", error, ...facts() };
        }
      case "sleep":
        await sleep(Math.max(0, action.until - now()), signal).catch(() => undefined);
        return { type: "slept", aborted: options.signal?.aborted === true, now: now() };
    }
  };

  let state = initialState(now());
  let action: TransitionAction = FIRST_ACTION;
  for (;;) {
    if (action.kind === "return") return action.result;
    if (action.kind === "throw") {
      throw new TransitionError(action.message, action.reason, { receipt: action.receipt, lastSnapshot: action.lastSnapshot, cause: action.cause });
    }
    ({ state, action } = step(state, await perform(action), ctx));
  }
}
