import { describeError, TransitionError } from "./errors";
import {
  operationFor,
  transitionalStateOf,
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
 * then wait for the target steady state under a deadline. The decision and the poll schedule are
 * pure functions so they can be tested without I/O.
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
 * watcher) where Terraform's Tencent provider makes two per poll plus an immediate extra one.
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
 * Tests, the demo and the benchmark run the clouds' minutes as seconds: CLUSTER_POWER_TIME_SCALE
 * (e.g. 0.01) scales every wait delay together with the emulator's transition time.
 */
export function scaledPolicy(policy: WaitPolicy, scale: number): WaitPolicy {
  if (!(scale > 0) || scale === 1) return policy;
  return { ...policy, firstDelayMs: policy.firstDelayMs * scale, maxDelayMs: policy.maxDelayMs * scale };
}

export function defaultWaitPolicy(env: NodeJS.ProcessEnv = process.env): WaitPolicy {
  const scale = Number(env.CLUSTER_POWER_TIME_SCALE ?? "1");
  return scaledPolicy(DEFAULT_WAIT_POLICY, Number.isFinite(scale) ? scale : 1);
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
  forcePause?: boolean;
  signal?: AbortSignal;
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

export async function transition(
  driver: CloudDriver,
  clusterId: string,
  target: TargetPowerState,
  options: TransitionOptions,
): Promise<TransitionResult> {
  const policy = options.policy ?? defaultWaitPolicy();
  const now = options.now ?? Date.now;
  const remaining = () => options.deadline - now();
  // AbortSignal.timeout takes whole milliseconds only.
  const deadlineSignal = AbortSignal.timeout(Math.max(1, Math.ceil(remaining())));
  const signal = options.signal ? AbortSignal.any([options.signal, deadlineSignal]) : deadlineSignal;
  const read = options.read ?? ((id: string, s: AbortSignal) => driver.describe(id, s));

  let receipt: WriteReceipt | undefined;
  let lastSnapshot: ClusterSnapshot | undefined;
  let writeCalls = 0;
  let poll = 0;
  /** Reads since our last write that still showed the old steady state. */
  let staleReads = 0;
  /** A write whose response was lost: it may or may not have been applied. */
  let writeInDoubt = false;
  /** A write that was sent and never answered (in flight at the deadline, or its answer lost). */
  let unanswered: Operation | undefined;
  /** Why the last write's answer was lost; told if the writes run out, so the cloud's code is not lost. */
  let lostAnswer: unknown;

  const fail = (message: string, reason: TransitionError["reason"], cause?: unknown): never => {
    throw new TransitionError(message, reason, { receipt, lastSnapshot, cause });
  };

  const guard = async <T>(what: () => Promise<T>): Promise<T> => {
    try {
      return await what();
    } catch (error) {
      if (options.signal?.aborted) return fail(`${clusterId}: aborted`, "aborted", error);
      if (deadlineSignal.aborted) return deadlineFailure(error);
      return fail(`${clusterId}: ${describeError(error)}`, "cloud-error", error);
    }
  };

  const deadlineFailure = (cause?: unknown): never =>
    fail(
      `${clusterId}: did not reach "${target}" before the deadline; last seen ${lastSnapshot ? `${lastSnapshot.power} (${lastSnapshot.rawStatus})` : "nothing"}` +
        (receipt
          ? `; the ${receipt.operation} call (RequestId ${receipt.requestId}) was accepted and may still complete`
          : unanswered
            ? `; a ${unanswered} call was sent but its answer never arrived, so it may still take effect`
            : ""),
      "deadline",
      cause,
    );

  /** When the last poll was due (the write, or the first read, starts the schedule). */
  let dueAt = now();
  const pause = async () => {
    if (remaining() <= 0) deadlineFailure();
    dueAt = nextPollAt(dueAt, pollDelay(poll++, policy), now());
    const delay = Math.min(dueAt - now(), remaining());
    await sleep(Math.max(0, delay), signal).catch(() => undefined);
    if (options.signal?.aborted) fail(`${clusterId}: aborted`, "aborted");
    if (remaining() <= 0) deadlineFailure();
  };

  for (;;) {
    lastSnapshot = await guard(() => read(clusterId, signal));
    options.onProgress?.(lastSnapshot);
    const decision = decide(lastSnapshot, target);

    if (decision.kind === "done") return { snapshot: lastSnapshot, receipt, writeCalls, reachedTarget: true };
    if (decision.kind === "fail") return fail(`${clusterId}: ${decision.message}`, decision.reason);

    if (decision.kind === "wait") {
      staleReads = 0;
      const towardTarget = lastSnapshot.power === transitionalStateOf(target);
      if (!options.wait && towardTarget) return { snapshot: lastSnapshot, receipt, writeCalls, reachedTarget: false };
      // Progress the cluster shows needs no job status: ask only when its own state cannot tell.
      if (!towardTarget) await checkOperation();
      await pause();
      continue;
    }

    // decision.kind === "write": the cluster sits in the opposite steady state.
    if ((receipt || writeInDoubt) && staleReads < policy.graceReads) {
      staleReads++;
      // The old state may be lag (some list views show only steady states). Ask the job once the
      // grace reads run out rather than on every read: with hundreds of clusters waiting, a
      // per-read job query would be the one call the status watcher cannot batch.
      if (staleReads >= policy.graceReads) await checkOperation(true);
      await pause();
      continue;
    }
    if (writeCalls >= policy.maxWrites) {
      fail(
        `${clusterId}: still ${lastSnapshot.power} (${lastSnapshot.rawStatus}) after ${writeCalls} ${decision.operation} calls` +
          (lostAnswer ? `; the last one got no usable answer: ${describeError(lostAnswer)}` : ""),
        "operation-failed",
        lostAnswer,
      );
    }

    writeCalls++;
    staleReads = 0;
    try {
      dueAt = now();
      unanswered = decision.operation;
      receipt = await driver.write(decision.operation, clusterId, { forcePause: options.forcePause }, signal);
      writeInDoubt = false;
      unanswered = undefined;
      lostAnswer = undefined;
    } catch (error) {
      if (!(error instanceof TransportError && error.sent)) unanswered = undefined;
      if (driver.isStateConflict(error)) {
        // The cluster moved between our read and our write: read again and decide.
        await pause();
        continue;
      }
      if (error instanceof TransportError && error.sent && !options.signal?.aborted && !deadlineSignal.aborted) {
        // The response was lost; the write may have happened. Never re-send blindly: read first.
        writeInDoubt = true;
        lostAnswer = error;
        await pause();
        continue;
      }
      if (options.signal?.aborted) fail(`${clusterId}: aborted`, "aborted", error);
      if (deadlineSignal.aborted) deadlineFailure(error);
      fail(`${clusterId}: ${describeError(error)}`, "cloud-error", error);
    }

    if (receipt) options.onWrite?.(receipt);

    if (!options.wait) {
      // Report what the cloud says now, not what we hope it will say.
      lastSnapshot = await guard(() => read(clusterId, signal));
      options.onProgress?.(lastSnapshot);
      return { snapshot: lastSnapshot, receipt, writeCalls, reachedTarget: lastSnapshot.power === target };
    }
    poll = 0;
    await pause();
  }

  async function checkOperation(force = false): Promise<void> {
    if (!receipt || !driver.operationStatus) return;
    if (!force && poll % policy.operationStatusEvery !== policy.operationStatusEvery - 1) return;
    const status = await guard(() => driver.operationStatus!(receipt!, signal));
    // The job is still running: an old steady state is lag, not a lost write (some list APIs
    // show only steady states), so it does not use up the grace reads.
    if (status === "running") staleReads = 0;
    if (status === "failed") {
      fail(
        `${clusterId}: the ${receipt.operation} operation (flow ${receipt.flowId ?? "?"}, RequestId ${receipt.requestId}) failed in the cloud; the cluster is ${lastSnapshot?.power} (${lastSnapshot?.rawStatus})`,
        "operation-failed",
      );
    }
  }
}
