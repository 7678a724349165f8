import { z } from "zod";
import { CLOUD_INPUT_RULES } from "../clouds";
import { safeEndpoint } from "../core/http";
import { CLOUDS, POWER_STATES, TARGET_POWER_STATES, type CloudName } from "../core/power";

/**
 * The shapes of ClusterPowerState, written once as zod schemas: the program-side argument and
 * output types are inferred from these, and the provider's check() validates with them.
 */

/** What preview sends for a value that is not known yet (== pulumi.runtime.unknownValue, asserted in a test). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const DEFAULTS = {
  powerState: "paused",
  wait: true,
  timeoutSeconds: 1800,
  onDelete: "leave",
  /** Tencent only. The API's own default is 1 (force), which drops open connections; see the README. */
  forcePause: false,
  /** Tencent only: an auto-paused serverless cluster satisfies powerState "running"; see the README. */
  allowAutoPause: true,
  /** Zilliz only. */
  apiVersion: "v2",
} as const;

const MAX_TIMEOUT_SECONDS = 24 * 3600;

/** One schema per input, so that each can be checked on its own while others are still unknown. */
export const inputFields = {
  cloud: z.enum(CLOUDS, { error: `must be one of ${CLOUDS.map((c) => `"${c}"`).join(", ")}` }),
  clusterId: z.string({ error: "must be a string, e.g. cynosdbmysql-8vcxoq75 or in01-108240180a4faf8" }).min(1, "must not be empty"),
  region: z.string({ error: "must be a string, e.g. ap-guangzhou or aws-us-west-2" }).min(1, "must not be empty"),
  powerState: z.enum(TARGET_POWER_STATES, { error: 'must be "running" or "paused"' }),
  forcePause: z.boolean({ error: "must be true or false" }),
  allowAutoPause: z.boolean({ error: "must be true or false" }),
  apiVersion: z.enum(["v1", "v2"], { error: 'must be "v2" (current API) or "v1" (deprecated API)' }),
  wait: z.boolean({ error: "must be true or false" }),
  timeoutSeconds: z
    .number({ error: "must be a number of seconds" })
    .int("must be a whole number of seconds")
    .min(1, "must be at least 1")
    .max(MAX_TIMEOUT_SECONDS, `must be at most ${MAX_TIMEOUT_SECONDS} (one day)`),
  onDelete: z.enum(["leave", "resume"], { error: 'must be "leave" (touch nothing) or "resume" (wake the cluster)' }),
  endpoint: z.string({ error: "must be a URL string" }).min(1, "must not be empty"),
};

export type InputName = keyof typeof inputFields;
export const INPUT_NAMES = Object.keys(inputFields) as InputName[];

/** The inputs after check(): defaults applied, every value known. */
export const ClusterPowerInputsSchema = z.object({
  cloud: inputFields.cloud,
  clusterId: inputFields.clusterId,
  region: inputFields.region.optional(),
  powerState: inputFields.powerState,
  forcePause: inputFields.forcePause.optional(),
  allowAutoPause: inputFields.allowAutoPause.optional(),
  apiVersion: inputFields.apiVersion.optional(),
  wait: inputFields.wait,
  timeoutSeconds: inputFields.timeoutSeconds,
  onDelete: inputFields.onDelete,
  endpoint: inputFields.endpoint.optional(),
});
export type ClusterPowerInputs = z.infer<typeof ClusterPowerInputsSchema>;

/** What a program may pass: the same fields, with defaults optional. */
export const ClusterPowerArgsSchema = ClusterPowerInputsSchema.partial({
  powerState: true,
  wait: true,
  timeoutSeconds: true,
  onDelete: true,
});
export type ClusterPowerArgsShape = z.input<typeof ClusterPowerArgsSchema>;

/** What the provider learned from the cloud. Keys are present only when they have a value. */
export const ObservedFieldsSchema = z.object({
  observedState: z.enum(POWER_STATES),
  /** The cloud's own words, e.g. "SERVERLESS running/pause" or "STOPPED". */
  rawStatus: z.string(),
  /** Tencent: FlowId of the last PauseServerless/ResumeServerless call this resource made. */
  flowId: z.number().optional(),
  /** Zilliz: the prompt text of the last suspend/resume call this resource made. */
  prompt: z.string().optional(),
  /** RequestId of the last pause/resume call this resource made. */
  requestId: z.string().optional(),
  lastOperation: z.enum(["pause", "resume"]).optional(),
  /** ISO 8601 time at which the cloud accepted the last pause/resume call. */
  lastChangedAt: z.string().optional(),
});
export type ObservedFields = z.infer<typeof ObservedFieldsSchema>;

export const ClusterPowerOutputsSchema = ClusterPowerInputsSchema.extend(ObservedFieldsSchema.shape);
export type ClusterPowerOutputs = z.infer<typeof ClusterPowerOutputsSchema>;

/** Inputs that only steer the provider; changing them changes nothing in the cloud. */
export const LOCAL_ONLY_INPUTS = ["wait", "timeoutSeconds", "onDelete", "forcePause", "allowAutoPause", "endpoint"] as const;
/** Inputs that name a different cluster (or API): changing them replaces the resource. */
export const REPLACE_INPUTS = ["cloud", "clusterId", "region", "apiVersion"] as const;

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

/** Inputs that only make sense for one cloud. */
const CLOUD_ONLY: Partial<Record<InputName, { cloud: CloudName; why: string }>> = {
  forcePause: { cloud: "tencentcloud", why: "it is Tencent PauseServerless' ForcePause switch" },
  allowAutoPause: { cloud: "tencentcloud", why: "only Tencent serverless clusters pause by themselves when idle" },
  apiVersion: { cloud: "zillizcloud", why: "it picks the Zilliz control-plane API version" },
};

/**
 * Pure: validates and normalizes a program's inputs. Never calls the API. Each failure names the
 * input and says how to fix it. Values still unknown in preview are let through untouched.
 */
export function checkInputs(news: Record<string, unknown>): CheckOutcome {
  const failures: CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason: `${property} ${reason}` });
  const out: Record<string, unknown> = {};

  for (const key of Object.keys(news)) {
    if (key === "__provider") continue;
    const value = news[key];
    if (value === undefined || value === null) continue;
    if (!(key in inputFields)) {
      fail(key, `is not an input of ClusterPowerState; known inputs: ${INPUT_NAMES.join(", ")}.`);
      continue;
    }
    if (isUnknown(value)) {
      out[key] = value;
      continue;
    }
    const parsed = inputFields[key as InputName].safeParse(value);
    if (parsed.success) out[key] = parsed.data;
    else fail(key, `${parsed.error.issues[0]?.message ?? "is invalid"} (got ${JSON.stringify(value)}).`);
  }

  if (news.cloud === undefined || news.cloud === null) fail("cloud", 'is required: "tencentcloud" or "zillizcloud".');
  if (news.clusterId === undefined || news.clusterId === null) fail("clusterId", "is required: the id of the cluster to pause and resume.");

  const cloud = typeof out.cloud === "string" && !isUnknown(out.cloud) ? (out.cloud as CloudName) : undefined;
  if (cloud) {
    for (const [key, rule] of Object.entries(CLOUD_ONLY) as Array<[InputName, { cloud: CloudName; why: string }]>) {
      if (out[key] !== undefined && rule.cloud !== cloud) {
        fail(key, `only applies to cloud "${rule.cloud}" (${rule.why}); remove it for cloud "${cloud}".`);
        delete out[key];
      }
    }
    checkCloudSpecific(cloud, out, fail);
  }

  if (typeof out.endpoint === "string" && !isUnknown(out.endpoint)) {
    try {
      if (cloud) CLOUD_INPUT_RULES[cloud].validateEndpoint(out.endpoint);
      else safeEndpoint(out.endpoint, "endpoint");
    } catch (error) {
      fail("endpoint", (error as Error).message.replace(/^endpoint: /, ""));
    }
  }

  const withDefaults: Record<string, unknown> = {
    powerState: DEFAULTS.powerState,
    wait: DEFAULTS.wait,
    timeoutSeconds: DEFAULTS.timeoutSeconds,
    onDelete: DEFAULTS.onDelete,
    ...(cloud === "tencentcloud" ? { forcePause: DEFAULTS.forcePause, allowAutoPause: DEFAULTS.allowAutoPause } : {}),
    ...(cloud === "zillizcloud" ? { apiVersion: DEFAULTS.apiVersion } : {}),
    ...out,
  };
  return { inputs: withDefaults, failures };
}

function checkCloudSpecific(cloud: CloudName, out: Record<string, unknown>, fail: (p: string, r: string) => void): void {
  const rules = CLOUD_INPUT_RULES[cloud];
  const known = (key: string) => typeof out[key] === "string" && !isUnknown(out[key]);
  const apply = (key: string, validate: (v: unknown) => string) => {
    try {
      validate(out[key]);
    } catch (error) {
      fail(key, (error as Error).message.replace(new RegExp(`^${key}: `), ""));
    }
  };
  const regionReason = rules.regionRequired({ apiVersion: out.apiVersion });
  if (out.region === undefined && regionReason) fail("region", `is required ${regionReason}`);
  if (known("region")) apply("region", rules.validateRegion);
  if (known("clusterId")) apply("clusterId", rules.validateClusterId);
}

// ------------------------------------------------------------------------------------------------
// diff and drift

/**
 * Pure: does the observed state satisfy the desired one?
 * - The same state, or on the way to it (a `wait: false` run left it moving), is satisfied.
 * - Tencent serverless + allowAutoPause: desired "running" is satisfied by a paused cluster,
 *   because Tencent pauses idle clusters by itself and wakes them on the first connection.
 *   observedState still says "paused", so nothing is hidden. Desired "paused" is always strict.
 */
export function satisfies(desired: unknown, observed: unknown, inputs: { cloud?: unknown; allowAutoPause?: unknown }): boolean {
  if (desired === observed) return true;
  if (desired === "running" && observed === "resuming") return true;
  if (desired === "paused" && observed === "pausing") return true;
  if (desired === "running" && inputs.cloud === "tencentcloud" && inputs.allowAutoPause !== false) {
    return observed === "paused" || observed === "pausing";
  }
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
}

const INPUT_KEYS: readonly string[] = INPUT_NAMES;

/**
 * Pure: the engine's Diff. `olds` are the old OUTPUTS (after a refresh: the refreshed ones),
 * `news` the checked inputs. The serialized `__provider` text is never a change.
 */
export function diffState(olds: Record<string, unknown>, news: Record<string, unknown>): DiffOutcome {
  const changed = INPUT_KEYS.filter((k) => !sameValue(olds[k], news[k]));
  const replaces = changed.filter((k) => (REPLACE_INPUTS as readonly string[]).includes(k));
  const needsTransition =
    replaces.length === 0 &&
    (changed.includes("powerState") || !satisfies(news.powerState, olds.observedState, news));
  return {
    changes: changed.length > 0 || needsTransition,
    replaces,
    // The old and the new resource may well manage the same cluster (a corrected region, say):
    // creating first and deleting after would let the old one's onDelete undo the new state.
    deleteBeforeReplace: replaces.length > 0,
    changed,
    needsTransition,
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === UNKNOWN || b === UNKNOWN) return false;
  return (a ?? null) === (b ?? null);
}
