#!/usr/bin/env node
import { describeError } from "../core/errors";
import { runEmulator } from "./emulator";
import { runList } from "./list";
import { EXIT, jsonFailure, jsonText, wantsJson } from "./outcome";
import { runPower } from "./power";
import { parseCommandLine } from "./program";
import { runSchedule } from "./schedule";
import { runSettings } from "./settings";

/**
 * Entry point of the `cluster-power` command. The first Ctrl-C (or SIGTERM) stops the waiting and
 * lets every cluster report what is known; a second one exits at once.
 */
async function main(): Promise<number> {
  // A reader that stops early (`cluster-power help | head -3`, `pause ... 2>&1 | head -1`) closes
  // the pipe: that is its choice, not a crash, and never a reason to drop the work. Without a
  // listener Node throws EPIPE as an unhandled 'error' event. Exiting here would end a pause before
  // its calls are sent, with exit 0; instead the lost output is dropped and the work carries on,
  // and the exit code still tells how it went.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
  const invocation = parseCommandLine(process.argv, { stdout: process.stdout, stderr: process.stderr, env: process.env });
  if (invocation.kind === "exit") return invocation.code;

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      // Quitting at once: give the terminal its cursor back (the live view hides it).
      if (process.stderr.isTTY) process.stderr.write("\x1b[?25h\x1b[?7h\n");
      process.exit(signal === "SIGINT" ? EXIT.interrupted : 143);
    }
    stop.abort(new Error(`received ${signal}`));
    if (invocation.kind === "power" && invocation.args.command !== "status") {
      process.stderr.write(`\n${signal}: no longer waiting; reporting what is known (press Ctrl-C again to quit at once)\n`);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const io = { stdout: process.stdout, stderr: process.stderr, signal: stop.signal };
  if (invocation.kind === "schedule") return runSchedule(invocation.args, io);
  if (invocation.kind === "settings") return runSettings(invocation.args, io);
  if (invocation.kind === "list") return runList(invocation.args, io);
  return invocation.kind === "power" ? runPower(invocation.args, io) : runEmulator(invocation.args, io);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`cluster-power: unexpected error: ${describeError(error)}\n`);
    if (wantsJson(process.argv.slice(2))) process.stdout.write(jsonText(jsonFailure(error, EXIT.failed)));
    process.exitCode = EXIT.failed;
  },
);
