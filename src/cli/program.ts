import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { CLOUDS } from "../clouds";
import { ConfigurationError, describeError } from "../core/errors";
import {
  collect,
  DEFAULT_TIMEOUT_SECONDS,
  parseMilliseconds,
  parsePort,
  parseSeconds,
  parseTimeScale,
  resolvePowerArgs,
  type PowerArgs,
  type PowerCommand,
  type RawPowerOptions,
} from "./args";
import { EXIT } from "./outcome";

/**
 * The command line grammar (commander) and nothing else: it turns argv into a checked invocation
 * or an exit code. Running the invocation is somebody else's job, so parsing is testable alone.
 */

export interface EmulatorArgs {
  port: number;
  transitionMs?: number;
  seedFile?: string;
}

export type Invocation =
  | { kind: "power"; args: PowerArgs }
  | { kind: "emulator"; args: EmulatorArgs }
  /** Help, version, or a usage error that has already been printed. */
  | { kind: "exit"; code: number };

export interface ParseIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

/** The environment each registered cloud reads, for --help. */
function environmentHelp(): string {
  const clouds = CLOUDS.all();
  const width = Math.max(...clouds.map((c) => c.name.length));
  const credentials = clouds.map((c) => {
    const { required, optional } = c.cli.credentialEnv;
    return `  ${c.name.padEnd(width)}  ${required.join(", ")}${optional.length ? ` [, ${optional[0]}]` : ""}`;
  });
  return [
    "",
    "Credentials (environment only; there are no secret flags, so keys stay out of shell history):",
    ...credentials,
    `Endpoints (optional; --endpoint wins): ${clouds.map((c) => c.cli.endpointEnv).join(", ")}`,
    "Region: --region;",
    ...clouds.map((c) => `  ${c.cli.regionHelp}`),
    "",
    "Exit codes: 0 success, 1 a cloud or operation error on any cluster, 2 a usage error, 130 interrupted.",
  ].join("\n");
}

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}

function addCommonOptions(command: Command): Command {
  const sites = CLOUDS.all().map((c) => `${c.name} ${c.cli.sites.join("|")}`).join(", ");
  return command
    .addOption(new Option("--cloud <cloud>", "which cloud the clusters live in").choices(CLOUDS.names()))
    .addOption(new Option("--cluster-id <id>", "a cluster id; repeat for several clusters (they run concurrently)").argParser(collect))
    .option("--region <region>", "the clusters' region (see Region below)")
    .option("--endpoint <url>", "API base URL override (https, or http to 127.0.0.1 only)")
    .option("--site <site>", `host family when no endpoint is given: ${sites}`)
    .option("--json", "print one JSON document with the result of every cluster")
    // For a local emulator whose clusters settle in seconds: every wait and poll runs this much faster.
    .addOption(new Option("--time-scale <factor>", "emulator runs only: scale waits and polls by this factor (0 < x <= 1)").argParser(parseTimeScale).hideHelp());
}

/** Each cloud's own flags, on the commands they apply to. */
function addCloudFlags(command: Command, name: PowerCommand): Command {
  for (const cloud of CLOUDS.all()) {
    for (const flag of cloud.cli.flags) {
      if (flag.commands && !flag.commands.includes(name)) continue;
      const option = new Option(flag.flags, flag.description);
      command.addOption(flag.choices ? option.choices(flag.choices) : option);
    }
  }
  return command;
}

function addWaitOptions(command: Command): Command {
  return command
    .option("--no-wait", "return once the cloud accepted the call instead of waiting for the target state")
    .addOption(
      new Option("--timeout <seconds>", "give up waiting after this many seconds (the call may still complete)")
        .argParser(parseSeconds)
        .default(DEFAULT_TIMEOUT_SECONDS),
    );
}

export function parseCommandLine(argv: string[], io: ParseIo): Invocation {
  let invocation: Invocation | undefined;
  /** The subcommand being resolved, for the usage hint of errors found after parsing. */
  let current = "";
  const program = new Command("cluster-power")
    .description(`Pause, resume and inspect ${CLOUDS.all().map((c) => c.title).join(", ")}.`)
    .version(packageVersion(), "-V, --version")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText("after", environmentHelp())
    // Without this, "cluster-power stop" or "cluster-power --nope" says what is wrong but not what to do.
    .showHelpAfterError('(run "cluster-power --help" for the commands and their options)');

  const power = (name: PowerCommand, description: string, extra: (c: Command) => Command) =>
    extra(addCloudFlags(addCommonOptions(program.command(name).description(description)), name))
      .showHelpAfterError(`(run "cluster-power ${name} --help" for usage)`)
      .addHelpText("after", environmentHelp())
      .action((options: RawPowerOptions) => {
        current = name;
        invocation = { kind: "power", args: resolvePowerArgs(name, options, io.env) };
      });

  power("status", "Show the power state of clusters.", (c) => c);
  power("pause", "Pause (suspend) clusters and wait until they are paused.", (c) => addWaitOptions(c));
  power("resume", "Resume clusters and wait until they are running.", (c) => addWaitOptions(c));

  program
    .command("emulator")
    .description("Run the local emulator of every cloud (loopback only) until Ctrl-C.")
    .addOption(new Option("--port <port>", "TCP port on 127.0.0.1; 0 picks a free one").argParser(parsePort).default(0))
    .addOption(new Option("--transition-ms <ms>", "how long a pause/resume takes to settle").argParser(parseMilliseconds))
    .option("--seed <file>", `JSON file with the clusters (and keys) per cloud: {${CLOUDS.names().map((n) => `"${n}": …`).join(", ")}}`)
    .showHelpAfterError('(run "cluster-power emulator --help" for usage)')
    .action((options: { port: number; transitionMs?: number; seed?: string }) => {
      invocation = {
        kind: "emulator",
        args: { port: options.port, transitionMs: options.transitionMs, seedFile: options.seed },
      };
    });

  try {
    program.parse(argv, { from: "node" });
  } catch (error) {
    return { kind: "exit", code: exitCodeForParseError(error, current, io) };
  }
  return invocation ?? { kind: "exit", code: EXIT.usage };
}

function exitCodeForParseError(error: unknown, command: string, io: ParseIo): number {
  if (error instanceof CommanderError) {
    // commander has printed its message (or the help) already.
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT.ok;
    // `cluster-power help [command]` asked for help (exitCode 0); a bare `cluster-power` gets it as an error.
    if (error.code === "commander.help") return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return EXIT.usage;
  }
  if (error instanceof ConfigurationError) {
    io.stderr.write(`error: ${error.message}\n(run "cluster-power ${command} --help" for usage)\n`);
    return EXIT.usage;
  }
  io.stderr.write(`error: ${describeError(error)}\n`);
  return EXIT.failed;
}
