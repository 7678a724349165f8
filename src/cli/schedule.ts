import { readFileSync } from "node:fs";
import { ConfigurationError, describeError, errorCode } from "../core/errors";
import { cronLines, NEXT_HORIZON_DAYS, powerSchedule, type PowerSchedule, type PowerScheduleSpec } from "../core/schedule";
import { EXIT } from "./outcome";
import type { ProgressStream } from "./progress";

/**
 * `cluster-power schedule`: what a schedule file says at an instant (state, since, next edge), or
 * the UTC cron lines that fire at its edges, for a CI scheduler or a Pulumi Deployments schedule.
 * Pure but for reading the file; no cloud is contacted.
 */

export interface ScheduleArgs {
  file: string;
  /** The instant to evaluate; default now. */
  at?: Date;
  cron: boolean;
  json: boolean;
}

export interface ScheduleIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  now?: () => Date;
}

/** The `--json` document of a state query. */
export interface ScheduleReport {
  powerState: "running" | "paused";
  /** The edge at which this state began (ISO, UTC). */
  since: string;
  /** The next edge within NEXT_HORIZON_DAYS days, or null. */
  next: string | null;
}

export function scheduleReport(schedule: PowerSchedule, at: Date): ScheduleReport {
  const { powerState, scheduledAt } = schedule.at(at);
  return { powerState, since: scheduledAt, next: schedule.next(at)?.at.toISOString() ?? null };
}

export function runSchedule(args: ScheduleArgs, io: ScheduleIo): number {
  let schedule: PowerSchedule;
  try {
    schedule = powerSchedule(readSpec(args.file));
  } catch (error) {
    const code = errorCode(error);
    const message = `${args.file}: ${describeError(error)}`;
    if (args.json) io.stdout.write(`${JSON.stringify({ ok: false, exitCode: EXIT.usage, error: { code, message } }, null, 2)}\n`);
    io.stderr.write(`error: ${message}\n(run "cluster-power schedule --help" for usage)\n`);
    return EXIT.usage;
  }
  const at = args.at ?? (io.now ?? (() => new Date()))();
  if (args.cron) {
    const { lines, note } = cronLines(schedule, at);
    if (args.json) io.stdout.write(`${JSON.stringify({ from: at.toISOString(), lines, note: note ?? null }, null, 2)}\n`);
    else io.stdout.write([`# UTC cron lines firing at every edge of the next 12 months from ${at.toISOString()}`, ...(note ? [`# ${note}`] : []), ...lines, ""].join("\n"));
    return EXIT.ok;
  }
  const report = scheduleReport(schedule, at);
  if (args.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const next = report.next ? `next edge ${report.next}` : `no edge within ${NEXT_HORIZON_DAYS} days`;
    io.stdout.write(`${report.powerState} since ${report.since}; ${next} (${schedule.spec.timezone}, at ${at.toISOString()})\n`);
  }
  return EXIT.ok;
}

/** The file's JSON; the schedule's own validation names the field of a bad value. */
function readSpec(file: string): PowerScheduleSpec {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigurationError("--file", `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return JSON.parse(text) as PowerScheduleSpec;
  } catch (error) {
    throw new ConfigurationError("--file", `not valid JSON: ${(error as Error).message}`);
  }
}
