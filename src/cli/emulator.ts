import { CLOUDS } from "../clouds";
import { describeError } from "../core/errors";
import { startEmulator, type Emulator } from "../emulator/server";
import { table } from "./format";
import { EXIT } from "./outcome";
import type { EmulatorArgs } from "./program";
import type { CommandIo } from "./progress";
import { loadSeedFile, type EmulatorSeed } from "./seed";

/** `cluster-power emulator`: the local cloud of every registered cloud, until Ctrl-C / SIGTERM. */

export type EmulatorIo = CommandIo;

export async function runEmulator(args: EmulatorArgs, io: EmulatorIo): Promise<number> {
  let seed: EmulatorSeed = {};
  try {
    if (args.seedFile) seed = loadSeedFile(args.seedFile);
  } catch (error) {
    io.stderr.write(`error: ${describeError(error)}\n(run "cluster-power emulator --help" for usage)\n`);
    return EXIT.usage;
  }

  let emulator: Emulator;
  try {
    emulator = await startEmulator({ port: args.port, transitionMs: args.transitionMs, seeds: seed });
  } catch (error) {
    io.stderr.write(`error: could not start the emulator on 127.0.0.1:${args.port}: ${describeError(error)}\n`);
    return EXIT.failed;
  }

  io.stdout.write(banner(emulator, seed, args.transitionMs));
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await emulator.stop();
  io.stdout.write("emulator stopped\n");
  return EXIT.ok;
}

/** What a user needs to point the CLI, the provider or their own code at the emulator. */
export function banner(emulator: Emulator, seed: EmulatorSeed, transitionMs: number | undefined): string {
  const rows: string[][] = [["CLOUD", "CLUSTER", "REGION", "STATUS", "NOTE"]];
  const exports: string[] = [];
  for (const cloud of CLOUDS.all()) {
    const part = emulator.parts.get(cloud.name);
    if (!part) continue;
    const shown = cloud.emulator.banner(part, emulator.url, seed[cloud.name]);
    exports.push(...shown.exports, "");
    rows.push(...shown.rows.map((row) => [cloud.name, ...row]));
  }
  return [
    `cluster-power emulator listening on ${emulator.url} (${CLOUDS.all().map((c) => c.title).join("; ")}; pause/resume take ${transitionMs ?? 3000} ms)`,
    "",
    ...exports,
    "# Seeded clusters:",
    table(rows),
    "",
    "Press Ctrl-C to stop.",
    "",
  ].join("\n");
}
