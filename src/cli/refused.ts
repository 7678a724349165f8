import { describeError } from "../core/errors";
import { classify, EXIT, jsonFailure, jsonText } from "./outcome";
import type { ProgressStream } from "./progress";

/**
 * Settings the driver refused before any call (an endpoint or region it cannot use): the message
 * and the usage hint on stderr, the exit code, and with --json the one document on stdout.
 */
export function driverRefused(error: unknown, args: { command: string; json: boolean }, io: { stdout: ProgressStream; stderr: ProgressStream }): number {
  const { kind } = classify(error);
  io.stderr.write(`error: ${describeError(error)}\n`);
  if (kind === "usage") io.stderr.write(`(run "cluster-power ${args.command} --help" for usage)\n`);
  const exitCode = kind === "usage" ? EXIT.usage : EXIT.failed;
  if (args.json) io.stdout.write(jsonText(jsonFailure(error, exitCode)));
  return exitCode;
}

