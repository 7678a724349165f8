import { z } from "zod";
import { CLOUDS } from "../clouds";
import type { CloudDescriptor } from "../core/cloud";
import { MAX_TIMEOUT_SECONDS } from "../core/deadline";
import { fallbackHint, UNKNOWN_FALLBACK, type Fallback } from "../core/fallback";
import { safeEndpoint } from "../core/http";
import { POWER_STATES, TARGET_POWER_STATES } from "../core/power";
import { overrideDecision, type OverrideDecision, type OverrideRule } from "../core/schedule";
import { settingsDrift } from "../core/settings";

/**
 * The shapes of ClusterPowerState, written once as zod schemas: the program-side argument and
 * output types are inferred from these, and the provider's check() validates with them.
 */

/** What preview sends for a value that is not known yet (== pulumi.runtime.unknownValue, asserted in a test). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Defaults of the inputs every cloud takes; each cloud's own inputs carry theirs (CloudInput.default). */
export const COMMON_DEFAULTS = {
  powerState: "paused",
  wait: true,
  timeoutSeconds: 1800,
  onDelete: "leave",
} as const;

/** Every default, the clouds' own included (for documentation and the CLI). */
export function defaults(): Record<string, unknown> {
  const out: Record<string, unknown> = { ...COMMON_DEFAULTS };
  for (const cloud of CLOUDS.all()) for (const [name, input] of Object.entries(cloud.inputs)) if (input.default !== undefined) out[name] = input.default;
  return out;
}

/** Shared with the CLI's --timeout (src/core/deadline.ts), so both accept the same range. */
export { MAX_TIMEOUT_SECONDS };

const OVERRIDE_RULES = ["enforce", "until-next-edge", "pause-only"] as const;
/** A date and a time with seconds optional, and a zone (Z or an offset): an instant, not a local time. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** One schema per input every cloud takes, so that each can be checked on its own while others are still unknown. */
const commonFields = {
  cloud: z.string({ error: "must be a cloud name" }).refine((name) => CLOUDS.has(name), { error: () => `must be one of ${CLOUDS.quotedNames()}` }),
  clusterId: z.string({ error: () => `must be a string, the cluster id, e.g. ${CLOUDS.all().map((c) => c.exampleClusterId).join(" or ")}` }).min(1, "must not be empty"),
  region: z.string({ error: "must be a string, e.g. ap-guangzhou or aws-us-west-2" }).min(1, "must not be empty"),
  powerState: z.enum(TARGET_POWER_STATES, { error: 'must be "running" or "paused"' }),
  wait: z.boolean({ error: "must be true or false" }),
  timeoutSeconds: z
    .number({ error: "must be a number of seconds" })
    .int("must be a whole number of seconds")
    .min(1, "must be at least 1")
    .max(MAX_TIMEOUT_SECONDS, `must be at most ${MAX_TIMEOUT_SECONDS} (one day)`),
  onDelete: z.enum(["leave", "resume"], { error: 'must be "leave" (touch nothing) or "resume" (wake the cluster)' }),
  endpoint: z.string({ error: "must be a URL string" }).min(1, "must not be empty"),
  // A schedule's edge; normalized to toISOString form so that it compares as the same edge.
  scheduledAt: z
    .string({ error: "must be an ISO 8601 instant, e.g. 2026-11-30T12:00:00.000Z (powerSchedule(...).at(now) writes it)" })
    .refine((text) => ISO_INSTANT.test(text) && Number.isFinite(Date.parse(text)), {
      error: "must be an ISO 8601 instant with a time zone, e.g. 2026-11-30T12:00:00.000Z (powerSchedule(...).at(now) writes it)",
    })
    .transform((text) => new Date(text).toISOString()),
  overrides: z.enum(OVERRIDE_RULES, {
    error: 'must be "enforce" (default: always correct drift), "until-next-edge" (respect a manual change until scheduledAt changes) or "pause-only" (never resume)',
  }),
};

/** Every input's schema: the common ones and each registered cloud's own. */
export function inputFields(): Record<string, z.ZodType> {
  const fields: Record<string, z.ZodType> = { ...commonFields };
  for (const cloud of CLOUDS.all()) for (const [name, input] of Object.entries(cloud.inputs)) fields[name] = input.schema;
  return fields;
}

export function inputNames(): string[] {
  return Object.keys(inputFields());
}

/** The inputs after check(): defaults applied, every value known. */
export const ClusterPowerInputsSchema = z.looseObject({
  cloud: commonFields.cloud,
  clusterId: commonFields.clusterId,
  region: commonFields.region.optional(),
  powerState: commonFields.powerState,
  wait: commonFields.wait,
  timeoutSeconds: commonFields.timeoutSeconds,
  onDelete: commonFields.onDelete,
  endpoint: commonFields.endpoint.optional(),
  scheduledAt: commonFields.scheduledAt.optional(),
  overrides: commonFields.overrides.optional(),
});
/** Checked inputs: the common ones typed, each cloud's own (validated by its schema) by name. */
export type ClusterPowerInputs = z.infer<typeof ClusterPowerInputsSchema>;

/** What the provider learned from the cloud. Keys are present only when they have a value. */
export const ObservedFieldsSchema = z.object({
  observedState: z.enum(POWER_STATES),
  /** The cloud's own status words. */
  rawStatus: z.string(),
  /** The job id of the last pause/resume call this resource made (clouds whose calls return one). */
  flowId: z.number().optional(),
  /** The answer text of the last pause/resume call this resource made (clouds that give one). */
  prompt: z.string().optional(),
  /** RequestId of the last pause/resume call this resource made. */
  requestId: z.string().optional(),
  lastOperation: z.enum(["pause", "resume"]).optional(),
  /** ISO 8601 time at which the cloud accepted the last pause/resume call. */
  lastChangedAt: z.string().optional(),
  /**
   * With `overrides` "until-next-edge" or "pause-only": when a refresh first found the cluster
   * changed by hand since the edge `scheduledAt`, and left it alone. Absent otherwise.
   */
  overriddenSince: z.string().optional(),
  /** With a schedule's `overrides` rule: the rule that decided at the last create/update/refresh, in words. */
  overrideRule: z.string().optional(),
});
export type ObservedFields = z.infer<typeof ObservedFieldsSchema>;
/** The output keys the provider computes (everything else echoes an input). */
export const OBSERVED_FIELDS = Object.keys(ObservedFieldsSchema.shape) as Array<keyof ObservedFields>;

export const ClusterPowerOutputsSchema = ClusterPowerInputsSchema.extend(ObservedFieldsSchema.shape);
export type ClusterPowerOutputs = z.infer<typeof ClusterPowerOutputsSchema>;

/** Inputs that name a different cluster (or API): changing them replaces the resource. */
export function replaceInputs(): string[] {
  const out = ["cloud", "clusterId", "region"];
  for (const cloud of CLOUDS.all()) for (const [name, input] of Object.entries(cloud.inputs)) if (input.replaces) out.push(name);
  return out;
}

// ------------------------------------------------------------------------------------------------
// check

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckOutcome {
  /** Normalized inputs (defaults applied). Unknown values stay the unknown sentinel. */
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
}

const isUnknown = (v: unknown) => v === UNKNOWN;

/** What check() may know besides the inputs: the provider's view of stack config and environment. */
export interface CheckContext {
  /** An absent input's stand-in from config or environment (src/core/fallback.ts); none when omitted. */
  fallback?(cloud: CloudDescriptor, input: string): Fallback | typeof UNKNOWN_FALLBACK | undefined;
}

/**
 * Pure: validates and normalizes a program's inputs. Never calls the API. Each failure names the
 * input and says how to fix it. Values still unknown in preview are let through untouched.
 */
export function checkInputs(news: Record<string, unknown>, context: CheckContext = {}): CheckOutcome {
  const failures: CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason: `${property} ${reason}` });
  const out: Record<string, unknown> = {};
  const fields = inputFields();

  for (const key of Object.keys(news)) {
    if (key === "__provider") continue;
    const value = news[key];
    if (value === undefined || value === null) continue;
    if (!(key in fields)) {
      fail(key, `is not an input of ClusterPowerState; known inputs: ${Object.keys(fields).join(", ")}.`);
      continue;
    }
    if (isUnknown(value)) {
      out[key] = value;
      continue;
    }
    const parsed = fields[key].safeParse(value);
    if (parsed.success) out[key] = parsed.data;
    else fail(key, `${parsed.error.issues[0]?.message ?? "is invalid"} (got ${JSON.stringify(value)}).`);
  }

  if (news.cloud === undefined || news.cloud === null) fail("cloud", `is required: one of ${CLOUDS.quotedNames()}.`);
  if (news.clusterId === undefined || news.clusterId === null) fail("clusterId", "is required: the id of the cluster to pause and resume.");

  const cloud = typeof out.cloud === "string" && !isUnknown(out.cloud) ? CLOUDS.get(out.cloud) : undefined;
  if (cloud) {
    for (const key of Object.keys(out)) {
      const owner = CLOUDS.ownerOfInput(key);
      if (owner && owner !== cloud) {
        fail(key, `only applies to cloud "${owner.name}" (${owner.inputs[key].why}); remove it for cloud "${cloud.name}".`);
        delete out[key];
      }
    }
    checkCloudSpecific(cloud, out, fail, context);
  }

  if (typeof out.endpoint === "string" && !isUnknown(out.endpoint)) {
    try {
      if (cloud) cloud.validateEndpoint(out.endpoint);
      else safeEndpoint(out.endpoint, "endpoint");
    } catch (error) {
      fail("endpoint", (error as Error).message.replace(/^endpoint: /, ""));
    }
  }

  const cloudDefaults = Object.entries(cloud?.inputs ?? {}).filter(([, input]) => input.default !== undefined);
  const withDefaults: Record<string, unknown> = {
    ...COMMON_DEFAULTS,
    ...Object.fromEntries(cloudDefaults.map(([name, input]) => [name, input.default])),
    ...out,
  };
  return { inputs: withDefaults, failures };
}

function checkCloudSpecific(rules: CloudDescriptor, out: Record<string, unknown>, fail: (p: string, r: string) => void, context: CheckContext): void {
  const known = (key: string) => typeof out[key] === "string" && !isUnknown(out[key]);
  const apply = (key: string, validate: (v: unknown) => string) => {
    try {
      validate(out[key]);
    } catch (error) {
      fail(key, (error as Error).message.replace(new RegExp(`^${key}: `), ""));
    }
  };
  const regionReason = rules.regionRequired(out);
  if (out.region === undefined && regionReason) {
    // A region from stack config or the environment is checked here too, so preview catches it.
    const fallback = context.fallback?.(rules, "region");
    if (fallback === undefined) fail("region", `is required ${regionReason}${fallbackHint(rules, "region")}`);
    else if (fallback !== UNKNOWN_FALLBACK) {
      try {
        rules.validateRegion(fallback.value);
      } catch (error) {
        fail("region", `is not set, and the one from ${fallback.source} is wrong: ${(error as Error).message.replace(/^region: /, "")}`);
      }
    }
  }
  if (known("region")) apply("region", rules.validateRegion);
  if (known("clusterId")) apply("clusterId", rules.validateClusterId);
}

// ------------------------------------------------------------------------------------------------
// diff and drift

/**
 * Pure: does the observed state satisfy the desired one?
 * - The same state, or on the way to it (a `wait: false` run left it moving), is satisfied.
 * - A cloud that pauses idle clusters by itself and wakes them on the first connection may
 *   tolerate that (its `toleratesAutoPause`, e.g. an allowAutoPause input): desired "running" is
 *   then satisfied by a paused cluster. observedState still says "paused", so nothing is hidden.
 *   Desired "paused" is always strict.
 */
export function satisfies(desired: unknown, observed: unknown, inputs: Readonly<Record<string, unknown>>): boolean {
  if (desired === observed) return true;
  if (desired === "running" && observed === "resuming") return true;
  if (desired === "paused" && observed === "pausing") return true;
  const cloud = typeof inputs.cloud === "string" ? CLOUDS.get(inputs.cloud) : undefined;
  if (desired === "running" && cloud?.toleratesAutoPause(inputs)) return observed === "paused" || observed === "pausing";
  return false;
}

export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Inputs whose values differ (for humans). */
  changed: string[];
  /** True when the cloud must be moved (an update will call the API). */
  needsTransition: boolean;
  /**
   * Managed cloud settings (CloudSettings) whose recorded value is not the input's: an update
   * reads and sets them, with no power transition unless needsTransition says so too.
   */
  needsSettings: string[];
  /** The `overrides` rule's reason, in words (e.g. "until-next-edge: manual override respected ..."). */
  rule: string;
  /** The cluster was changed by hand since the edge, and the rule leaves it so. */
  overridden?: true;
}

/**
 * Pure: the engine's Diff. `olds` are the old OUTPUTS (after a refresh: the refreshed ones),
 * `news` the checked inputs. The serialized `__provider` text is never a change.
 */
export function diffState(olds: Record<string, unknown>, news: Record<string, unknown>): DiffOutcome {
  const replacing = replaceInputs();
  const changed = inputNames().filter((k) => !sameValue(olds[k], news[k]));
  const replaces = changed.filter((k) => replacing.includes(k));
  const decision = overrideDecisionFor(olds, news, false);
  const enforced = decision.rule.startsWith("enforce");
  const needsTransition = replaces.length === 0 && (decision.act || (enforced && changed.includes("powerState")));
  const cloud = typeof news.cloud === "string" ? CLOUDS.get(news.cloud) : undefined;
  const needsSettings = replaces.length === 0 ? settingsDrift(cloud?.settings, olds, news) : [];
  return {
    changes: changed.length > 0 || needsTransition || needsSettings.length > 0,
    replaces,
    // The old and the new resource may well manage the same cluster (a corrected region, say):
    // creating first and deleting after would let the old one's onDelete undo the new state.
    deleteBeforeReplace: replaces.length > 0,
    changed,
    needsTransition,
    needsSettings,
    rule: decision.rule,
    ...(decision.overridden && { overridden: true as const }),
  };
}

/**
 * Pure: what the `overrides` rule says about moving the cluster now. `olds` are the old outputs
 * (none on create): their `scheduledAt` is the edge this resource last brought the cluster to
 * `powerState` for, since outputs only take an input's value once it was reached.
 */
export function overrideDecisionFor(olds: Record<string, unknown>, news: Record<string, unknown>, creating: boolean): OverrideDecision {
  const rule = (news.overrides as OverrideRule | undefined) ?? "enforce";
  return overrideDecision({
    rule,
    desired: news.powerState === "running" ? "running" : "paused",
    scheduledAt: typeof news.scheduledAt === "string" ? news.scheduledAt : undefined,
    // Outputs hold the powerState and scheduledAt last reached: a new powerState is a new decision.
    actedFor: typeof olds.scheduledAt === "string" && olds.powerState === news.powerState ? olds.scheduledAt : undefined,
    satisfied: !creating && satisfies(news.powerState, olds.observedState, news),
    creating,
  });
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === UNKNOWN || b === UNKNOWN) return false;
  return (a ?? null) === (b ?? null);
}
