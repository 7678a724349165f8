import { CLOUDS } from "../clouds";
import { describeError, TransitionError } from "../core/errors";
import type { CloudDriver, Operation } from "../core/power";
import { targetOf } from "../core/power";
import { DEFAULT_WAIT_POLICY, scaledPolicy, transition } from "../core/transition";
import { statusReaderFor, watcherPacingFor } from "../core/watcher";
import type { PowerArgs } from "./args";
import { summaryTable } from "./format";
import { classify, EXIT, exitCodeFor, failureOutcome, jsonReport, statusOutcome, transitionOutcome, type ClusterOutcome } from "./outcome";
import { progressView, type ProgressStream } from "./progress";

/**
 * `status`, `pause` and `resume`: one driver for the invocation, every cluster at once (the
 * drivers' process-wide limiter keeps the calls within the cloud's rate limits), the shared
 * transition engine for the work, then one summary on stdout.
 */

export interface PowerIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  /** Aborted on Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  now?: () => number;
}

export async function runPower(args: PowerArgs, io: PowerIo): Promise<number> {
  let driver: CloudDriver;
  try {
    driver = CLOUDS.require(args.cloud).createDriver(args.driver);
  } catch (error) {
    // Bad settings the driver found before any call (e.g. an endpoint or region it cannot use).
    const { kind } = classify(error);
    io.stderr.write(`error: ${describeError(error)}\n`);
    if (kind === "usage") io.stderr.write(`(run "cluster-power ${args.command} --help" for usage)\n`);
    return kind === "usage" ? EXIT.usage : EXIT.failed;
  }

  const outcomes = args.command === "status" ? await readAll(driver, args, io) : await transitionAll(driver, args, args.command, io);
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

function readAll(driver: CloudDriver, args: PowerArgs, io: PowerIo): Promise<ClusterOutcome[]> {
  const now = io.now ?? Date.now;
  return Promise.all(
    args.clusterIds.map(async (clusterId) => {
      const started = now();
      try {
        const snapshot = await driver.describe(clusterId, io.signal);
        return statusOutcome(args.cloud, clusterId, snapshot, now() - started);
      } catch (error) {
        return failureOutcome(args.cloud, clusterId, io.signal.aborted ? abortedError(error) : error, now() - started, "status");
      }
    }),
  );
}

async function transitionAll(driver: CloudDriver, args: PowerArgs, operation: Operation, io: PowerIo): Promise<ClusterOutcome[]> {
  const now = io.now ?? Date.now;
  const started = now();
  const deadline = started + args.timeoutSeconds * 1000;
  const read = statusReaderFor(driver, watcherPacingFor(args.timeScale));
  const policy = scaledPolicy(DEFAULT_WAIT_POLICY, args.timeScale);
  const view = progressView(io.stderr, args.clusterIds, now);
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
