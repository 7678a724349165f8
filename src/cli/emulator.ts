import { describeError } from "../core/errors";
import { startEmulator } from "../emulator/server";
import { EXIT } from "./outcome";
import type { EmulatorArgs } from "./program";
import type { ProgressStream } from "./progress";
import { loadSeedFile } from "./seed";

/** `cluster-power emulator`: the local cloud for both clouds, until Ctrl-C / SIGTERM. */

export interface EmulatorIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  signal: AbortSignal;
}

export async function runEmulator(args: EmulatorArgs, io: EmulatorIo): Promise<number> {
  let seed;
  try {
    seed = args.seedFile ? loadSeedFile(args.seedFile) : undefined;
  } catch (error) {
    io.stderr.write(`error: ${describeError(error)}\n(run "cluster-power emulator --help" for usage)\n`);
    return EXIT.usage;
  }

  let emulator;
  try {
    emulator = await startEmulator({ port: args.port, transitionMs: args.transitionMs, ...seed });
  } catch (error) {
    io.stderr.write(`error: could not start the emulator on 127.0.0.1:${args.port}: ${describeError(error)}\n`);
    return EXIT.failed;
  }

  io.stdout.write(`cluster-power emulator listening on ${emulator.url}\n`);
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await emulator.stop();
  io.stdout.write("emulator stopped\n");
  return EXIT.ok;
}
