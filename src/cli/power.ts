import { CLOUDS } from "../clouds";
import { describeError, ReadDeadlineError, TransitionError } from "../core/errors";
import type { CallRetry } from "../core/retry";
import { timerMs } from "../core/deadline";
import type { CloudDriver, Operation } from "../core/power";
import { targetOf } from "../core/power";
import { DEFAULT_WAIT_POLICY, scaledPolicy, transition } from "../core/transition";
import { statusReaderFor, watcherPacingFor } from "../core/watcher";
import type { PowerArgs } from "./args";
import { summaryTable } from "./format";
import { exitCodeFor, failureOutcome, jsonReport, statusOutcome, transitionOutcome, type ClusterOutcome } from "./outcome";
import { driverRefused } from "./refused";
import { progressView, RetryThrottle, type CommandIo, type ProgressView } from "./progress";
import { retryLine } from "./format";
import { addStatusSettings } from "./settings";

/**
 * `status`, `pause` and `resume`: one driver for the invocation, every cluster at once (the
 * drivers' process-wide limiter keeps the calls within the cloud's rate limits), the shared
 * transition engine for the work, then one summary on stdout.
 */

export type PowerIo = CommandIo;

export async function runPower(args: PowerArgs, io: PowerIo): Promise<number> {
  let driver: CloudDriver;
  // Retries (a rate limit retried until the deadline, say) show as progress, not as silence.
  const retries: { view?: ProgressView } = {};
  const plain = plainRetries(io);
  const onRetry = (retry: CallRetry) => (retries.view ? retries.view.retrying(retry) : plain(retry));
  try {
    driver = CLOUDS.require(args.cloud).createDriver({ ...args.driver, onRetry });
  } catch (error) {
    return driverRefused(error, args, io);
  }

  const outcomes = args.command === "status" ? await readAll(driver, args, io) : await transitionAll(driver, args, args.command, io, retries);
  const exitCode = exitCodeFor(outcomes, io.signal.aborted);
  if (args.json) {
    io.stdout.write(`${JSON.stringify(jsonReport(args.command, outcomes, exitCode), null, 2)}\n`);
  } else {
    io.stdout.write(`${summaryTable(args.command, outcomes)}\n`);
    // A mistake in the input deserves the same place and hint as any other usage error.
    for (const o of outcomes) {
      if (o.error?.kind === "usage") io.stderr.write(`error: ${o.clusterId}: ${o.error.message}\n(run "cluster-power ${args.command} --help" for usage)\n`);
    }
    const failed = outcomes.filter((o) => o.error).length;
    if (io.signal.aborted) io.stderr.write("interrupted: operations already accepted by the cloud carry on without us.\n");
    else if (failed > 0) io.stderr.write(`${failed} of ${outcomes.length} cluster(s) failed.\n`);
  }
  return exitCode;
}

/** `status` has no progress view: its retries are plain lines on stderr, throttled the same way. */
function plainRetries(io: PowerIo): (retry: CallRetry) => void {
  const now = io.now ?? Date.now;
  const throttle = new RetryThrottle();
  const started = now();
  return (retry) => {
    if (throttle.due(retry, now())) io.stderr.write(`${retryLine(retry, now() - started)}\n`);
  };
}

function readAll(driver: CloudDriver, args: PowerArgs, io: PowerIo): Promise<ClusterOutcome[]> {
  const now = io.now ?? Date.now;
  // Every read, retry and backoff ends at --timeout, as a pause's do.
  const deadline = AbortSignal.timeout(Math.max(1, timerMs(args.timeoutSeconds * 1000)));
  const signal = AbortSignal.any([io.signal, deadline]);
  // Many clusters share batched list calls through the status watcher, as a refresh does; one
  // cluster is read in detail.
  const read = statusReaderFor(driver, watcherPacingFor(args.timeScale), { coalesce: true });
  return Promise.all(
    args.clusterIds.map(async (clusterId) => {
      const started = now();
      try {
        const snapshot = await read(clusterId, signal);
        const outcome = statusOutcome(args.cloud, clusterId, snapshot, 0);
        await addStatusSettings(outcome, driver, snapshot, signal);
        outcome.elapsedMs = now() - started;
        return outcome;
      } catch (error) {
        const failure = io.signal.aborted
          ? abortedError(error)
          : deadline.aborted
            ? new ReadDeadlineError(`${clusterId}: no answer from ${args.cloud} within --timeout (${args.timeoutSeconds} s) while reading the cluster.`, { cause: error })
            : error;
        return failureOutcome(args.cloud, clusterId, failure, now() - started, "status");
      }
    }),
  );
}

async function transitionAll(driver: CloudDriver, args: PowerArgs, operation: Operation, io: PowerIo, retries: { view?: ProgressView }): Promise<ClusterOutcome[]> {
  const now = io.now ?? Date.now;
  const started = now();
  const deadline = started + args.timeoutSeconds * 1000;
  const read = statusReaderFor(driver, watcherPacingFor(args.timeScale));
  const policy = scaledPolicy(DEFAULT_WAIT_POLICY, args.timeScale);
  const view = progressView(io.stderr, args.clusterIds, now);
  retries.view = view;
  try {
    return await Promise.all(
      args.clusterIds.map(async (clusterId) => {
        let outcome: ClusterOutcome;
        try {
          const result = await transition(driver, clusterId, targetOf(operation), {
            wait: args.wait,
            deadline,
            writeOptions: args.writeOptions,
            policy,
            signal: io.signal,
            read,
            now,
            onProgress: (snapshot) => view.update(clusterId, snapshot),
            // An accepted call shows in the progress at once rather than with the next read.
            onWrite: (receipt) => view.accepted(clusterId, receipt),
          });
          outcome = transitionOutcome(args.cloud, clusterId, result, now() - started);
        } catch (error) {
          outcome = failureOutcome(args.cloud, clusterId, error, now() - started, operation);
        }
        view.finish(outcome);
        return outcome;
      }),
    );
  } finally {
    view.stop();
  }
}

/** A read cut short by Ctrl-C surfaces as whatever the transport threw; report it as an interruption. */
function abortedError(error: unknown): TransitionError {
  return new TransitionError(describeError(error), "aborted", { cause: error });
}
