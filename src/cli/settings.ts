import { CLOUDS, type CloudName } from "../clouds";
import type { CloudDescriptor, DriverRequest, SettingsCli } from "../core/cloud";
import { describeError, UsageError } from "../core/errors";
import type { CloudDriver, ClusterSnapshot, SettingsReceipt, SettingsValues } from "../core/power";
import { reconcileSettings } from "../core/settings";
import { resolvePowerArgs, type RawPowerOptions } from "./args";
import { failureText, table } from "./format";
import { classify, EXIT, exitCodeFor, type ClusterOutcome, type OutcomeError } from "./outcome";
import { driverRefused } from "./refused";
import type { CommandIo } from "./progress";

/**
 * The commands that set a cloud's cluster settings (CloudSettings.cli, e.g. `auto-pause`), and
 * the settings column of `status`. Each cluster is read once and changed with one call only where
 * it differs. Output and exit codes follow `pause`: the result on stdout (a table, or one JSON
 * document with --json), messages on stderr, 0 / 1 / 2 / 130.
 */

export interface SettingsArgs {
  command: string;
  cloud: CloudName;
  clusterIds: string[];
  json: boolean;
  driver: DriverRequest;
  /** The settings to reconcile, by input name (e.g. { autoPause: false }). */
  desired: Record<string, unknown>;
}

/** Each settings command once, with the clouds that offer it. */
export function settingsCommands(): Map<string, { cli: SettingsCli; clouds: CloudDescriptor[] }> {
  const out = new Map<string, { cli: SettingsCli; clouds: CloudDescriptor[] }>();
  for (const cloud of CLOUDS.all()) {
    const cli = cloud.settings?.cli;
    if (!cli) continue;
    const entry = out.get(cli.command) ?? { cli, clouds: [] };
    entry.clouds.push(cloud);
    out.set(cli.command, entry);
  }
  return out;
}

/** Pure: the checked invocation; a cloud without this command, or a bad flag, is a usage error before any call. */
export function resolveSettingsArgs(command: string, raw: RawPowerOptions, env: NodeJS.ProcessEnv): SettingsArgs {
  let desired: Record<string, unknown> | undefined;
  if (CLOUDS.has(raw.cloud)) {
    const cloud = CLOUDS.require(raw.cloud);
    if (cloud.settings?.cli.command !== command) {
      const offering = [...(settingsCommands().get(command)?.clouds ?? [])].map((c) => c.name);
      throw new UsageError("--cloud", `${command} applies to ${offering.join(", ")} only; ${cloud.name} has no such setting.`);
    }
    desired = cloud.settings.cli.desired(raw);
  }
  // The common flags, the cluster ids and the credentials, exactly as for `status`.
  const base = resolvePowerArgs("status", raw, env);
  return { command, cloud: base.cloud, clusterIds: base.clusterIds, json: base.json, driver: base.driver, desired: desired ?? {} };
}

export interface SettingsRow {
  cloud: CloudName;
  clusterId: string;
  /** What the cluster has after this run (the change applied); null when it could not be read. */
  settings: SettingsValues | null;
  /** What this run sent, by input name; {} when nothing differed, null when it failed. */
  changed: Record<string, unknown> | null;
  receipt?: SettingsReceipt;
  /** RequestId of the change; without one, of the failing request, else of the read. */
  requestId: string | null;
  elapsedMs: number;
  error?: OutcomeError;
}

export type SettingsIo = CommandIo;

export async function runSettings(args: SettingsArgs, io: SettingsIo): Promise<number> {
  const now = io.now ?? Date.now;
  const cloud = CLOUDS.require(args.cloud);
  const cli = cloud.settings!.cli;
  let driver: CloudDriver;
  try {
    driver = cloud.createDriver(args.driver);
  } catch (error) {
    return driverRefused(error, args, io);
  }
  const rows = await Promise.all(
    args.clusterIds.map(async (clusterId): Promise<SettingsRow> => {
      const started = now();
      try {
        const outcome = await reconcileSettings(driver, clusterId, args.desired, io.signal);
        return {
          cloud: cloud.name,
          clusterId,
          settings: outcome.values,
          changed: outcome.changes,
          ...(outcome.receipt && { receipt: outcome.receipt }),
          requestId: outcome.receipt?.requestId ?? outcome.readRequestId ?? null,
          elapsedMs: now() - started,
        };
      } catch (error) {
        const info = classify(error);
        const message =
          info.kind === "interrupted" ? "interrupted; a change may have been sent already: check with `cluster-power status`" : describeError(error);
        const prefix = `${clusterId}: `;
        return {
          cloud: cloud.name,
          clusterId,
          settings: null,
          changed: null,
          requestId: info.requestId ?? null,
          elapsedMs: now() - started,
          error: { code: info.code, kind: info.kind, message: message.startsWith(prefix) ? message.slice(prefix.length) : message },
        };
      }
    }),
  );
  const exitCode = exitCodeFor(rows, io.signal.aborted);
  if (args.json) {
    io.stdout.write(`${JSON.stringify(settingsReport(args.command, rows, exitCode), null, 2)}\n`);
  } else {
    io.stdout.write(`${settingsTable(cli.heading, cli.describe, rows)}\n`);
    for (const row of rows) {
      if (row.error?.kind === "usage") io.stderr.write(`error: ${row.clusterId}: ${row.error.message}\n(run "cluster-power ${args.command} --help" for usage)\n`);
    }
    const failed = rows.filter((r) => r.error).length;
    if (io.signal.aborted) io.stderr.write("interrupted: a change already sent may have been applied.\n");
    else if (failed > 0) io.stderr.write(`${failed} of ${rows.length} cluster(s) failed.\n`);
  }
  return exitCode;
}

/** The --json document: every cluster has the same keys in the same order; `error` only on failure. */
export function settingsReport(command: string, rows: SettingsRow[], exitCode: number) {
  return {
    command,
    ok: exitCode === EXIT.ok,
    exitCode,
    clusters: rows.map((row) => {
      const hasTask = CLOUDS.get(row.cloud)?.settings?.receiptOutputs.taskId !== undefined;
      return {
        cloud: row.cloud,
        clusterId: row.clusterId,
        settings: row.settings,
        changed: row.changed,
        ...(hasTask && { taskId: row.receipt?.taskId ?? null }),
        requestId: row.requestId,
        writeCalls: row.receipt ? 1 : 0,
        elapsedMs: row.elapsedMs,
        ...(row.error && { error: { code: row.error.code, message: row.error.message } }),
      };
    }),
  };
}

export function settingsTable(heading: string, describe: (values: SettingsValues) => string, rows: SettingsRow[]): string {
  return table([
    ["CLUSTER", heading, "RESULT"],
    ...rows.map((row) => [row.clusterId, row.settings ? describe(row.settings) : "-", resultText(row)]),
  ]);
}

function resultText(row: SettingsRow): string {
  if (row.error) return failureText(row.error);
  const sent = Object.entries(row.changed ?? {});
  if (sent.length === 0 || !row.receipt) return "already so; no call made";
  const task = row.receipt.taskId !== undefined ? `TaskId ${row.receipt.taskId}, ` : "";
  return `set ${sent.map(([name, value]) => `${name}=${String(value)}`).join(", ")} (${task}RequestId ${row.receipt.requestId})`;
}

/**
 * `status`: the cluster's settings beside its power state. A cluster the API can never pause has
 * none to read; a read that fails (a key allowed to describe clusters but not the settings, say)
 * is noted in the detail rather than failing the status.
 */
export async function addStatusSettings(outcome: ClusterOutcome, driver: CloudDriver, snapshot: ClusterSnapshot, signal: AbortSignal): Promise<void> {
  const settings = CLOUDS.get(outcome.cloud)?.settings;
  if (!settings || !driver.readSettings) return;
  outcome.settings = null;
  if (snapshot.unsupportedReason) return;
  try {
    outcome.settings = (await driver.readSettings(outcome.clusterId, signal)).values;
  } catch (error) {
    const note = `${settings.title} not read: ${describeError(error)}`;
    outcome.detail = outcome.detail ? `${outcome.detail}; ${note}` : note;
  }
}
