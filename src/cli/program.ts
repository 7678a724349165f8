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
  parseInstant,
  resolvePowerArgs,
  type PowerArgs,
  type PowerCommand,
  type RawPowerOptions,
} from "./args";
import { listCloudFlags, resolveListArgs, type ListArgs, type RawListOptions } from "./list";
import { EXIT, jsonFailure, jsonText, wantsJson, type JsonFailure } from "./outcome";
import type { ScheduleArgs } from "./schedule";
import { resolveSettingsArgs, settingsCommands, type SettingsArgs } from "./settings";

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
  | { kind: "schedule"; args: ScheduleArgs }
  | { kind: "settings"; args: SettingsArgs }
  | { kind: "list"; args: ListArgs }
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

  // Reads have a deadline too: cron jobs, `timeout` and CI must never hang on a cloud that does not answer.
  power("status", "Show the power state of clusters.", (c) =>
    c.addOption(new Option("--timeout <seconds>", "give up reading after this many seconds").argParser(parseSeconds).default(DEFAULT_TIMEOUT_SECONDS)),
  );
  power("pause", "Pause (suspend) clusters and wait until they are paused.", (c) => addWaitOptions(c));
  power("resume", "Resume clusters and wait until they are running.", (c) => addWaitOptions(c));

  // Cluster settings commands (e.g. auto-pause), declared by the clouds that have them.
  for (const [name, { cli, clouds }] of settingsCommands()) {
    const command = addCommonOptions(program.command(name).description(`${cli.description} (${clouds.map((c) => c.name).join(", ")} only)`));
    for (const flag of cli.flags) command.addOption(new Option(flag.flags, flag.description));
    command
      .showHelpAfterError(`(run "cluster-power ${name} --help" for usage)`)
      .addHelpText("after", environmentHelp())
      .action((options: RawPowerOptions) => {
        current = name;
        invocation = { kind: "settings", args: resolveSettingsArgs(name, options, io.env) };
      });
  }

  addListCommand(program, io, (resolve) => {
    current = "list";
    invocation = { kind: "list", args: resolve() };
  });

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

  program
    .command("schedule")
    .description("Show what a schedule file says at an instant (state, since when, next edge), or print UTC cron lines for its edges. No cloud is contacted.")
    .requiredOption("--file <file>", 'JSON schedule: {"timezone": "Asia/Shanghai", "running": ["Mon-Fri 08:00-20:00"], "skipDates"?: [...], "overrides"?: ...}')
    .addOption(new Option("--at <instant>", "ISO 8601 instant to evaluate, e.g. 2026-12-24T18:00:00Z (default: now)").argParser(parseInstant))
    .option("--cron", "print the UTC cron lines that fire at every edge of the next 12 months (for CI or Pulumi Deployments schedules)")
    .option("--json", "print one JSON document")
    .showHelpAfterError('(run "cluster-power schedule --help" for usage)')
    .action((options: { file: string; at?: Date; cron?: boolean; json?: boolean }) => {
      current = "schedule";
      invocation = { kind: "schedule", args: { file: options.file, at: options.at, cron: options.cron ?? false, json: options.json ?? false } };
    });

  try {
    program.parse(argv, { from: "node" });
  } catch (error) {
    const code = exitCodeForParseError(error, current, io);
    // Help and --version print what was asked for; every failure is a document for `| jq` too.
    if (code !== EXIT.ok && wantsJson(argv.slice(2))) io.stdout.write(jsonText(parseFailure(error, code)));
    return { kind: "exit", code };
  }
  return invocation ?? { kind: "exit", code: EXIT.usage };
}

/** commander's own errors are usage errors too; their text starts with "error: ", which JSON does not need. */
function parseFailure(error: unknown, exitCode: number): JsonFailure {
  if (error instanceof CommanderError) return { ok: false, exitCode, error: { code: "ConfigurationError", message: error.message.replace(/^error: /, "") } };
  return jsonFailure(error, exitCode);
}

/** `list`: the clusters a selector picks (src/cli/list.ts). */
function addListCommand(program: Command, io: ParseIo, done: (resolve: () => ListArgs) => void): void {
  const byPairs = (pairs: string) => CLOUDS.all().filter((c) => c.listing?.pairs === pairs).map((c) => c.name).join(", ") || "none";
  const command = program
    .command("list")
    .description("List the clusters a selector picks (by tags or labels, name prefix, project), as findClusters does. Changes nothing.")
    .addOption(new Option("--cloud <cloud>", "which cloud to list").choices(CLOUDS.all().filter((c) => c.listing).map((c) => c.name)))
    .option("--region <region>", "the region to list (see Region below)")
    .addOption(new Option("--tag <key=value>", `a tag every cluster must carry; repeat for several (${byPairs("tags")})`).argParser(collect))
    .addOption(new Option("--label <key=value>", `a label every cluster must carry; repeat for several (${byPairs("labels")})`).argParser(collect))
    .option("--name-prefix <prefix>", "only clusters whose name starts with this")
    .option("--project-id <id>", `only clusters of this project (${CLOUDS.all().filter((c) => c.listing?.projects).map((c) => c.name).join(", ") || "none"})`)
    .option("--opt-out-tag <key>", 'clusters carrying this key with the value "off" are never selected (default cluster-power)')
    .option("--all", "also list clusters that can never be paused, with the reason")
    .option("--endpoint <url>", "API base URL override (https, or http to 127.0.0.1 only)")
    .option("--site <site>", `host family when no endpoint is given: ${CLOUDS.all().map((c) => `${c.name} ${c.cli.sites.join("|")}`).join(", ")}`)
    .option("--json", "print one JSON document with every selected cluster")
    .addOption(new Option("--timeout <seconds>", "give up listing after this many seconds").argParser(parseSeconds).default(DEFAULT_TIMEOUT_SECONDS));
  const seen = new Set<string>();
  for (const cloud of CLOUDS.all()) {
    for (const flag of listCloudFlags(cloud)) {
      if (seen.has(flag.attribute)) continue;
      seen.add(flag.attribute);
      const option = new Option(flag.flags, flag.description);
      command.addOption(flag.choices ? option.choices(flag.choices) : option);
    }
  }
  command
    .showHelpAfterError('(run "cluster-power list --help" for usage)')
    .addHelpText("after", environmentHelp())
    .action((options: RawListOptions) => done(() => resolveListArgs(options, io.env)));
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
