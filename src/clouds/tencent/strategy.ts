import { z } from "zod";
import type { CliFlags } from "../../core/cloud";
import { ConfigurationError } from "../../core/errors";
import type { SettingsValues } from "../../core/power";

/**
 * The serverless auto-pause policy (DescribeServerlessStrategy / ModifyServerlessStrategy) as
 * the package's "settings": two inputs, their cloud fields, and the CLI's words. Pure.
 */

/** ModifyServerlessStrategy AutoPauseDelay: "可选范围[600,691200]" (10 minutes to 8 days). */
export const AUTO_PAUSE_DELAY_RANGE = { min: 600, max: 691_200 } as const;

export const autoPauseSchema = z.boolean({ error: "must be true or false" });
export const autoPauseDelaySchema = z
  .number({ error: "must be a number of seconds" })
  .int("must be a whole number of seconds")
  .min(AUTO_PAUSE_DELAY_RANGE.min, `must be at least ${AUTO_PAUSE_DELAY_RANGE.min} (10 minutes, the API's minimum)`)
  .max(AUTO_PAUSE_DELAY_RANGE.max, `must be at most ${AUTO_PAUSE_DELAY_RANGE.max} (8 days, the API's maximum)`);

/** The request fields for managed settings. Only these two exist: MinCpu, MaxCpu and the rest are never sent. */
export interface StrategyChange {
  AutoPause?: "yes" | "no";
  AutoPauseDelay?: number;
}

export function strategyChange(changes: SettingsValues): StrategyChange {
  const out: StrategyChange = {};
  for (const [name, value] of Object.entries(changes)) {
    if (name === "autoPause") out.AutoPause = autoPauseSchema.parse(value) ? "yes" : "no";
    else if (name === "autoPauseDelaySeconds") out.AutoPauseDelay = autoPauseDelaySchema.parse(value);
    // A bug of ours, never a request with a field the user did not ask us to manage.
    else throw new Error(`not a managed auto-pause setting: ${name}`);
  }
  return out;
}

/** DescribeServerlessStrategy's answer in input terms. */
export function strategyValues(response: { AutoPause: "yes" | "no"; AutoPauseDelay?: number | null }): SettingsValues {
  return {
    autoPause: response.AutoPause === "yes",
    ...(typeof response.AutoPauseDelay === "number" && { autoPauseDelaySeconds: response.AutoPauseDelay }),
  };
}

export function describeStrategy(values: SettingsValues): string {
  const delay = typeof values.autoPauseDelaySeconds === "number" ? `after ${values.autoPauseDelaySeconds} s` : "delay unknown";
  if (values.autoPause === true) return `on, ${delay}`;
  if (values.autoPause === false) return `off (${delay.replace("after ", "delay ")})`;
  return "-";
}

/** `auto-pause (--enable | --disable) [--delay SECONDS]` -> the settings to reconcile. */
export function autoPauseFromFlags(flags: CliFlags): Record<string, unknown> {
  const { enable, disable, delay } = flags;
  if (enable && disable) throw new ConfigurationError("--enable", "and --disable contradict each other; give one of them.");
  if (!enable && !disable) throw new ConfigurationError("--enable", "or --disable is required: say whether the cluster pauses itself when idle.");
  const out: Record<string, unknown> = { autoPause: enable === true };
  if (delay !== undefined) {
    const seconds = typeof delay === "string" && /^\s*\d+\s*$/.test(delay) ? Number(delay) : Number.NaN;
    const parsed = autoPauseDelaySchema.safeParse(seconds);
    if (!parsed.success) {
      throw new ConfigurationError("--delay", `${parsed.error.issues[0]?.message ?? "is invalid"} (got ${JSON.stringify(delay)}); use whole seconds from ${AUTO_PAUSE_DELAY_RANGE.min} to ${AUTO_PAUSE_DELAY_RANGE.max}.`);
    }
    out.autoPauseDelaySeconds = parsed.data;
  }
  return out;
}
