import { CLOUDS } from "../clouds";
import type { CloudDescriptor, DriverRequest } from "../core/cloud";
import {
  ClusterNotFoundError,
  ConfigurationError,
  describeError,
  errorCode,
  ReadDeadlineError,
  registerSecret,
  TransitionError,
} from "../core/errors";
import type { CloudDriver, ClusterSnapshot, SettingsReceipt, WriteReceipt } from "../core/power";
import { carriedSettingsOutputs, desiredSettings, reconcileSettings, settingsOutputs } from "../core/settings";
import type { OverrideDecision } from "../core/schedule";
import { fallbackHint, inputFallback } from "../core/fallback";
import { DEFAULT_WAIT_POLICY, scaledPolicy, transition } from "../core/transition";
import { statusReaderFor, watcherPacingFor } from "../core/watcher";
import {
  checkInputs,
  type CheckContext,
  ClusterPowerInputsSchema,
  diffState,
  inputNames,
  overrideDecisionFor,
  OBSERVED_FIELDS,
  type ClusterPowerInputs,
  type ClusterPowerOutputs,
  type ObservedFields,
} from "./schema";

/**
 * The dynamic provider's real code. It runs inside Pulumi's dynamic-provider host, loaded at run
 * time through one of two package exports (see src/provider/shim.ts): this module is the
 * provider itself when a program installed the package ("pulumi-cluster-power/dist/provider/implementation.js"),
 * else the serialized shim loads it ("pulumi-cluster-power/provider"). Its exported functions are
 * a contract with every state file ever written: old `__provider` texts call
 * configure/check/diff/create/read/update/delete by name.
 */

/**
 * `cluster-power:timeScale`: runs every wait and poll faster by this factor (0 < x <= 1), for a
 * local emulator whose clusters settle in seconds. Leave it unset against real clouds.
 */
export const TIME_SCALE_KEY = "cluster-power:timeScale";

interface ProviderConfig {
  /** Per cloud name, its stack config by key (`<cloud>:<key>`). Secrets stay in this process. */
  clouds: Record<string, Record<string, string | undefined>>;
  timeScale: number;
  /** False when the engine skipped Configure (config still unknown in a preview): fallbacks are unknown then. */
  known: boolean;
}

let config: ProviderConfig = { clouds: {}, timeScale: 1, known: true };
const drivers = new Map<string, CloudDriver>();

interface ConfigReader {
  get(key: string): string | undefined;
}

/** Called by the host once per provider text with the stack config (secrets already unwrapped). */
export async function configure(req: { config: ConfigReader }): Promise<void> {
  let known = true;
  const get = (key: string) => {
    let value: string | undefined;
    try {
      value = req.config.get(key);
    } catch {
      known = false;
      // The engine skips Configure when some config is still unknown (preview); the host then
      // hands over a Config that throws. Check and Diff need no credentials, so carry on: the
      // drivers fall back to the environment, or say which setting is missing.
      value = undefined;
    }
    return value === undefined || value === "" ? undefined : value;
  };
  const next: ProviderConfig = { clouds: {}, timeScale: parseTimeScale(get(TIME_SCALE_KEY)), known: true };
  for (const cloud of CLOUDS.all()) {
    const values: Record<string, string | undefined> = {};
    for (const { key, secret } of cloud.config) {
      values[key] = get(`${cloud.name}:${key}`);
      if (secret) registerSecret(values[key]);
    }
    next.clouds[cloud.name] = values;
  }
  next.known = known;
  config = next;
  drivers.clear();
}

function parseTimeScale(value: string | undefined): number {
  if (value === undefined) return 1;
  const scale = Number(value);
  if (!(scale > 0 && scale <= 1)) throw new ConfigurationError(TIME_SCALE_KEY, `must be a number above 0 and at most 1 (got ${JSON.stringify(value)}); remove it for real clouds.`);
  return scale;
}

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
  const { inputs, failures } = checkInputs(news, checkContext());
  return { inputs, failures };
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const { changes, replaces, deleteBeforeReplace } = diffState(olds, news);
  return { changes, replaces, deleteBeforeReplace };
}

export async function create(props: Record<string, unknown>) {
  const inputs = parseInputs(props);
  const id = inputs.clusterId;
  const deadline = Date.now() + inputs.timeoutSeconds * 1000;
  const settings = await settle(inputs, {}, true, deadline);
  const decision = overrideDecisionFor({}, inputs, true);
  // Only "pause-only" asked to run declines to act on create: it never resumes a cluster.
  const outputs = decision.act
    ? await apply(inputs, { id, props, settings, deadline })
    : outputsOf(inputs, { ...settings.outputs, ...observe(await readWithin(inputs)) });
  return { id, outs: withOverride(outputs, inputs, decision) };
}

export async function update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const inputs = parseInputs(news);
  const previous = observedOf(olds);
  const diff = diffState(olds, news);
  const decision = { act: diff.needsTransition, rule: diff.rule, overridden: diff.overridden };
  const deadline = Date.now() + inputs.timeoutSeconds * 1000;
  const settings = await settle(inputs, olds, diff.needsSettings.length > 0 || diff.needsTransition || !previous, deadline);
  if (!diff.needsTransition && previous) {
    // Only provider-side options or cloud settings changed, or the overrides rule leaves the cluster as it is.
    return { outs: withOverride(outputsOf(inputs, { ...previous, ...settings.outputs }), inputs, decision, olds.overriddenSince) };
  }
  const reached = { powerState: olds.powerState, scheduledAt: olds.scheduledAt };
  return { outs: withOverride(await apply(inputs, { id, props: news, previous, reached, settings, deadline }), inputs, decision) };
}

export async function read(id: string, props: Record<string, unknown>) {
  const inputs = parseInputs(props);
  const previous = observedOf(props);
  const deadline = AbortSignal.timeout(Math.ceil(inputs.timeoutSeconds * 1000));
  try {
    const snapshot = await readForRefresh(driverFor(inputs), inputs.clusterId, props.observedState, deadline);
    if (CLOUDS.require(inputs.cloud).isGone(snapshot)) return { id: "", props: {} };
    const settings = await observeSettings(inputs, props, deadline);
    const outs = outputsOf(inputs, { ...previous, ...settings, ...observe(snapshot) });
    // A change that never completed left powerState out of the outputs (see apply): keep it out,
    // rather than let the input default stand in for a state this resource never reached.
    if (props.powerState === undefined) delete (outs as Partial<ClusterPowerOutputs>).powerState;
    if (props.scheduledAt === undefined) delete (outs as Partial<ClusterPowerOutputs>).scheduledAt;
    const decision = overrideDecisionFor({ ...props, observedState: snapshot.power }, inputs, false);
    return { id, props: withOverride(outs, inputs, decision, props.overriddenSince) };
  } catch (error) {
    if (error instanceof ClusterNotFoundError) return { id: "", props: {} };
    // Without this, a read cut off by timeoutSeconds surfaces as a bare "request aborted".
    if (deadline.aborted) {
      const late = new ReadDeadlineError(`${inputs.clusterId}: no answer from ${inputs.cloud} within timeoutSeconds (${inputs.timeoutSeconds} s) while reading the cluster; nothing was changed. Run refresh again, or raise timeoutSeconds.`);
      throw publicError(late);
    }
    const clean = publicError(error);
    clean.message = `${inputs.clusterId}: ${clean.message}`;
    throw clean;
  }
}

export async function delete_(_id: string, props: Record<string, unknown>): Promise<void> {
  const inputs = parseInputs(props);
  if (inputs.onDelete === "leave") return;
  try {
    const driver = driverFor(inputs);
    await transition(driver, inputs.clusterId, "running", transitionOptions(driver, inputs, true));
  } catch (error) {
    if (isNotFound(inputs.cloud, error)) return;
    throw publicError(error);
  }
}
export { delete_ as delete };

// ------------------------------------------------------------------------------------------------

interface ApplyContext {
  id: string;
  /** The raw properties the engine sent (their `__provider` goes back with a partial result). */
  props: Record<string, unknown>;
  /** What the old outputs observed, if this is an update. */
  previous?: ObservedFields;
  /** The powerState (and the schedule edge) the resource last reached: old outputs, if this is an update. */
  reached?: { powerState?: unknown; scheduledAt?: unknown };
  /** The settings half, done before: its outputs, and its change's receipt (a partial result keeps them). */
  settings?: SettledSettings;
  /** When the whole create/update must be done (ms since epoch); default timeoutSeconds from now. */
  deadline?: number;
}

/**
 * Moves the cloud to inputs.powerState; a failure after an accepted write keeps the resource.
 * The outputs' powerState is the state this resource last reached: a change that did not complete
 * leaves the old value (none, on create), so the next `up` still sees the change as pending and
 * tries again, instead of taking the unreached desired state as done.
 */
async function apply(inputs: ClusterPowerInputs, { id, props, previous, reached, settings, deadline }: ApplyContext): Promise<ClusterPowerOutputs> {
  const driver = driverFor(inputs);
  const set = settings?.outputs ?? {};
  try {
    const result = await transition(driver, inputs.clusterId, inputs.powerState, transitionOptions(driver, inputs, inputs.wait, deadline));
    return outputsOf(inputs, { ...previous, ...set, ...observe(result.snapshot, result.receipt) });
  } catch (error) {
    const partial = error instanceof TransitionError ? error.partial : {};
    if (partial.receipt || settings?.receipt) {
      // The cloud accepted a pause/resume, or the settings change made before it: record what we
      // know so the resource stays in state (never an orphan) and the next refresh/up carries on.
      const receipt = partial.receipt;
      const snapshot = partial.lastSnapshot;
      const observed = snapshot
        ? { ...previous, ...set, ...observe(snapshot, receipt) }
        : { observedState: "unknown", rawStatus: "unknown", ...previous, ...set, ...receiptFields(receipt) };
      const outputs: Record<string, unknown> = { ...outputsOf(inputs, observed), __provider: props.__provider };
      // Not reached: keep what was (none on create), so the next up still sees the change as pending.
      for (const key of ["powerState", "scheduledAt"] as const) {
        if (reached?.[key] === undefined) delete outputs[key];
        else outputs[key] = reached[key];
      }
      throw new PartialResultError(publicMessage(error) + settingsNote(inputs, settings?.receipt), id, outputs);
    }
    throw publicError(error);
  }
}

/** The shape the host turns into ErrorResourceInitFailed {id, properties, reasons}. */
export class PartialResultError extends Error {
  readonly reasons: string[];
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Record<string, unknown>,
  ) {
    super(message);
    this.reasons = [message];
  }
}

function transitionOptions(driver: CloudDriver, inputs: ClusterPowerInputs, wait: boolean, deadline?: number) {
  const cloud = CLOUDS.require(inputs.cloud);
  const writeOptions = Object.fromEntries(Object.keys(cloud.inputs).filter((name) => cloud.inputs[name].sentWithWrites).map((name) => [name, inputs[name]]));
  return {
    wait,
    // The host ignores customTimeouts and Cancel: this deadline is the only bound there is.
    deadline: deadline ?? Date.now() + inputs.timeoutSeconds * 1000,
    writeOptions,
    policy: scaledPolicy(DEFAULT_WAIT_POLICY, config.timeScale),
    read: statusReaderFor(driver, watcherPacingFor(config.timeScale)),
  };
}

function driverFor(inputs: ClusterPowerInputs): CloudDriver {
  const cloud = CLOUDS.require(inputs.cloud);
  const request = driverRequest(cloud, inputs);
  const key = JSON.stringify([cloud.name, request.region, request.endpoint, request.options]);
  let driver = drivers.get(key);
  if (!driver) {
    driver = cloud.createDriver(request);
    drivers.set(key, driver);
  }
  return driver;
}

/** check()'s view of the stack config and environment: where an absent input may come from. */
function checkContext(): CheckContext {
  return { fallback: (cloud, input) => inputFallback(cloud, input, config.known ? (config.clouds[cloud.name] ?? {}) : undefined, process.env) };
}

/**
 * Endpoint precedence: the `endpoint` input, then `<cloud>:endpoint` config, then the cloud's
 * environment variable. Region, for a cloud with a region fallback key: the `region` input, then
 * `<cloud>:region` config, then its environment variable (src/core/fallback.ts).
 */
export function driverRequest(cloud: CloudDescriptor, inputs: ClusterPowerInputs): DriverRequest {
  const fallback = inputs.region ? undefined : inputFallback(cloud, "region", config.clouds[cloud.name] ?? {}, process.env);
  const region = inputs.region ?? (typeof fallback === "object" ? fallback.value : undefined);
  const regionReason = cloud.regionRequired(inputs);
  if (!region && regionReason) throw new ConfigurationError("region", `is required ${regionReason}${fallbackHint(cloud, "region")}`);
  // Managed settings are values to set, not driver options: they must not split the driver cache.
  const settingNames = Object.keys(cloud.settings?.fields ?? {});
  const options = Object.fromEntries(
    Object.keys(cloud.inputs).filter((name) => inputs[name] !== undefined && !settingNames.includes(name)).map((name) => [name, inputs[name]]),
  );
  return { region, endpoint: inputs.endpoint, config: config.clouds[cloud.name] ?? {}, options, env: process.env };
}

/** Re-validates what the engine hands over (state written by older versions included). */
function parseInputs(props: Record<string, unknown>): ClusterPowerInputs {
  const { inputs, failures } = checkInputs(pickInputs(props), checkContext());
  if (failures.length > 0) throw new ConfigurationError(failures[0].property, failures.map((f) => f.reason).join("; "));
  return ClusterPowerInputsSchema.parse(inputs);
}

function pickInputs(props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of inputNames()) if (props[key] !== undefined && props[key] !== null) out[key] = props[key];
  return out;
}

function observe(snapshot: ClusterSnapshot, receipt?: WriteReceipt): ObservedFields {
  return { observedState: snapshot.power, rawStatus: snapshot.rawStatus, ...receiptFields(receipt) };
}

function receiptFields(receipt: WriteReceipt | undefined): Partial<ObservedFields> {
  if (!receipt) return {};
  return {
    lastOperation: receipt.operation,
    requestId: receipt.requestId,
    flowId: receipt.flowId,
    prompt: receipt.prompt,
    lastChangedAt: new Date().toISOString(),
  };
}

/** The observed part of old outputs, if they have one. */
function observedOf(olds: Record<string, unknown>): ObservedFields | undefined {
  if (typeof olds.observedState !== "string" || typeof olds.rawStatus !== "string") return undefined;
  const out: Record<string, unknown> = {};
  for (const key of OBSERVED_FIELDS) {
    if (olds[key] !== undefined && olds[key] !== null) out[key] = olds[key];
  }
  return out as ObservedFields;
}

/**
 * Complete outputs: every input plus what was observed. Keys without a value are left out, never
 * set to undefined: the host cannot marshal undefined, and failing after the cloud call would
 * orphan the resource.
 */
export function outputsOf(inputs: ClusterPowerInputs, observed: Partial<ObservedFields> | Readonly<Record<string, unknown>>): ClusterPowerOutputs {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries({ ...inputs, ...observed })) {
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out as ClusterPowerOutputs;
}

/** What the settings half of create/update leaves: the settings outputs, and the change's receipt if it made one. */
interface SettledSettings {
  outputs: Record<string, unknown>;
  receipt?: SettingsReceipt;
}

/**
 * The cloud-settings half of create/update (CloudSettings), done before any power change: a
 * refused setting then fails before a pause/resume is sent, a power wait that runs out cannot
 * leave the declared settings unapplied, and a pause/resume in flight never meets our own
 * settings call. No call at all when no setting is managed, or when `due` is false (the recorded
 * values already match); the old outputs then carry over.
 */
async function settle(inputs: ClusterPowerInputs, olds: Record<string, unknown>, due: boolean, deadline: number): Promise<SettledSettings> {
  const cloud = CLOUDS.require(inputs.cloud);
  const desired = desiredSettings(cloud.settings, inputs);
  if (!cloud.settings || !desired || !due) return { outputs: carriedSettingsOutputs(cloud.settings, olds, desired !== undefined) };
  const signal = AbortSignal.timeout(Math.max(1, Math.ceil(deadline - Date.now())));
  try {
    const outcome = await reconcileSettings(driverFor(inputs), inputs.clusterId, desired, signal);
    const outputs = { ...carriedSettingsOutputs(cloud.settings, olds, false), ...settingsOutputs(cloud.settings, outcome.values, outcome.receipt) };
    return { outputs, receipt: outcome.receipt };
  } catch (error) {
    if (signal.aborted) {
      const late = new ReadDeadlineError(`${inputs.clusterId}: no answer from ${inputs.cloud} within timeoutSeconds (${inputs.timeoutSeconds} s) while reading or setting the ${cloud.settings.title}; no pause/resume was sent. Run up again, or raise timeoutSeconds.`);
      throw publicError(late);
    }
    const clean = publicError(error);
    clean.message = `${inputs.clusterId}: ${clean.message}`;
    throw clean;
  }
}

/** Refresh: the managed settings as the cloud has them now (one read), or none while none is managed. */
async function observeSettings(inputs: ClusterPowerInputs, props: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
  const cloud = CLOUDS.require(inputs.cloud);
  const carried = carriedSettingsOutputs(cloud.settings, props, false);
  const driver = driverFor(inputs);
  if (!cloud.settings || !desiredSettings(cloud.settings, inputs) || !driver.readSettings) return carried;
  const reading = await driver.readSettings(inputs.clusterId, signal);
  return { ...carried, ...settingsOutputs(cloud.settings, reading.values) };
}

/** A partial result's words when the settings change went through before the power half failed. */
function settingsNote(inputs: ClusterPowerInputs, receipt: SettingsReceipt | undefined): string {
  const title = CLOUDS.get(inputs.cloud)?.settings?.title;
  if (!receipt || !title) return "";
  const task = receipt.taskId !== undefined ? `TaskId ${receipt.taskId}, ` : "";
  return `; the ${title} change made before it (${task}RequestId ${receipt.requestId}) was accepted and is recorded`;
}

/**
 * A refresh reads through the process-wide status watcher, so the Reads of a whole stack share
 * batched list calls. A list view that may lag behind a transition (ClusterSnapshot.listView) is
 * trusted only when it agrees with what this resource saw last; otherwise that one cluster is read
 * again in detail, which shows transitional states.
 */
async function readForRefresh(driver: CloudDriver, clusterId: string, lastSeen: unknown, signal: AbortSignal): Promise<ClusterSnapshot> {
  const snapshot = await statusReaderFor(driver, watcherPacingFor(config.timeScale), { coalesce: true })(clusterId, signal);
  return snapshot.listView && snapshot.power !== lastSeen ? driver.describe(clusterId, signal) : snapshot;
}

/** One read of the cluster within timeoutSeconds, for create under a rule that makes no call. */
async function readWithin(inputs: ClusterPowerInputs): Promise<ClusterSnapshot> {
  try {
    return await driverFor(inputs).describe(inputs.clusterId, AbortSignal.timeout(Math.ceil(inputs.timeoutSeconds * 1000)));
  } catch (error) {
    throw publicError(error);
  }
}

/**
 * The override outputs, present only under a schedule rule: the rule's words, and since when a
 * manual change has been respected (kept from the refresh that first saw it).
 */
function withOverride(outputs: ClusterPowerOutputs, inputs: ClusterPowerInputs, decision: OverrideDecision, since?: unknown): ClusterPowerOutputs {
  const out: Partial<ClusterPowerOutputs> = { ...outputs };
  delete out.overrideRule;
  delete out.overriddenSince;
  if ((inputs.overrides ?? "enforce") === "enforce") return out as ClusterPowerOutputs;
  out.overrideRule = decision.rule;
  if (decision.overridden) out.overriddenSince = typeof since === "string" ? since : new Date().toISOString();
  return out as ClusterPowerOutputs;
}

function isNotFound(cloudName: string, error: unknown): boolean {
  if (error instanceof ClusterNotFoundError) return true;
  if (error instanceof TransitionError) {
    if (error.partial.cause instanceof ClusterNotFoundError) return true;
    const last = error.partial.lastSnapshot;
    if (error.reason === "failed-state" && last && CLOUDS.require(cloudName).isGone(last)) return true;
  }
  return false;
}

/** Errors cross the gRPC boundary as their message: clear, secret-free, and led by the error's code. */
function publicError(error: unknown): Error {
  const clean = new Error(publicMessage(error));
  if (error instanceof Error) clean.name = error.name;
  return clean;
}

function publicMessage(error: unknown): string {
  const text = describeError(error);
  const code = errorCode(error);
  return text.includes(`[${code}]`) ? text : `[${code}] ${text}`;
}

