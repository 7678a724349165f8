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
import type { CloudDriver, ClusterSnapshot, WriteReceipt } from "../core/power";
import { DEFAULT_WAIT_POLICY, scaledPolicy, transition } from "../core/transition";
import { statusReaderFor, watcherPacingFor } from "../core/watcher";
import {
  checkInputs,
  ClusterPowerInputsSchema,
  diffState,
  inputNames,
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
}

let config: ProviderConfig = { clouds: {}, timeScale: 1 };
const drivers = new Map<string, CloudDriver>();

interface ConfigReader {
  get(key: string): string | undefined;
}

/** Called by the host once per provider text with the stack config (secrets already unwrapped). */
export async function configure(req: { config: ConfigReader }): Promise<void> {
  const get = (key: string) => {
    let value: string | undefined;
    try {
      value = req.config.get(key);
    } catch {
      // The engine skips Configure when some config is still unknown (preview); the host then
      // hands over a Config that throws. Check and Diff need no credentials, so carry on: the
      // drivers fall back to the environment, or say which setting is missing.
      value = undefined;
    }
    return value === undefined || value === "" ? undefined : value;
  };
  const next: ProviderConfig = { clouds: {}, timeScale: parseTimeScale(get(TIME_SCALE_KEY)) };
  for (const cloud of CLOUDS.all()) {
    const values: Record<string, string | undefined> = {};
    for (const { key, secret } of cloud.config) {
      values[key] = get(`${cloud.name}:${key}`);
      if (secret) registerSecret(values[key]);
    }
    next.clouds[cloud.name] = values;
  }
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
  const { inputs, failures } = checkInputs(news);
  return { inputs, failures };
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const { changes, replaces, deleteBeforeReplace } = diffState(olds, news);
  return { changes, replaces, deleteBeforeReplace };
}

export async function create(props: Record<string, unknown>) {
  const inputs = parseInputs(props);
  const id = inputs.clusterId;
  const outputs = await apply(inputs, { id, props });
  return { id, outs: outputs };
}

export async function update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const inputs = parseInputs(news);
  const previous = observedOf(olds);
  if (!diffState(olds, news).needsTransition && previous) {
    // Only provider-side options changed: nothing to ask the cloud.
    return { outs: outputsOf(inputs, previous) };
  }
  const reached = typeof olds.powerState === "string" ? olds.powerState : undefined;
  return { outs: await apply(inputs, { id, props: news, previous, reached }) };
}

export async function read(id: string, props: Record<string, unknown>) {
  const inputs = parseInputs(props);
  const previous = observedOf(props);
  const deadline = AbortSignal.timeout(Math.ceil(inputs.timeoutSeconds * 1000));
  try {
    const snapshot = await driverFor(inputs).describe(inputs.clusterId, deadline);
    if (CLOUDS.require(inputs.cloud).isGone(snapshot)) return { id: "", props: {} };
    const outs = outputsOf(inputs, { ...previous, ...observe(snapshot) });
    // A change that never completed left powerState out of the outputs (see apply): keep it out,
    // rather than let the input default stand in for a state this resource never reached.
    if (props.powerState === undefined) delete (outs as Partial<ClusterPowerOutputs>).powerState;
    return { id, props: outs };
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
  /** The powerState the resource last reached (old outputs), if this is an update. */
  reached?: string;
}

/**
 * Moves the cloud to inputs.powerState; a failure after an accepted write keeps the resource.
 * The outputs' powerState is the state this resource last reached: a change that did not complete
 * leaves the old value (none, on create), so the next `up` still sees the change as pending and
 * tries again, instead of taking the unreached desired state as done.
 */
async function apply(inputs: ClusterPowerInputs, { id, props, previous, reached }: ApplyContext): Promise<ClusterPowerOutputs> {
  const driver = driverFor(inputs);
  try {
    const result = await transition(driver, inputs.clusterId, inputs.powerState, transitionOptions(driver, inputs, inputs.wait));
    return outputsOf(inputs, { ...previous, ...observe(result.snapshot, result.receipt) });
  } catch (error) {
    if (error instanceof TransitionError && error.partial.receipt) {
      // The cloud accepted a pause/resume: record what we know so the resource stays in state
      // (never an orphan) and the next refresh/up carries on from there.
      const receipt = error.partial.receipt;
      const snapshot = error.partial.lastSnapshot;
      const observed: Partial<ObservedFields> = snapshot
        ? { ...previous, ...observe(snapshot, receipt) }
        : { observedState: "unknown", rawStatus: "unknown", ...previous, ...receiptFields(receipt) };
      const outputs: Record<string, unknown> = { ...outputsOf(inputs, observed), __provider: props.__provider };
      if (reached === undefined) delete outputs.powerState;
      else outputs.powerState = reached;
      throw new PartialResultError(publicMessage(error), id, outputs);
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

function transitionOptions(driver: CloudDriver, inputs: ClusterPowerInputs, wait: boolean) {
  const cloud = CLOUDS.require(inputs.cloud);
  const writeOptions = Object.fromEntries(Object.keys(cloud.inputs).filter((name) => cloud.inputs[name].sentWithWrites).map((name) => [name, inputs[name]]));
  return {
    wait,
    // The host ignores customTimeouts and Cancel: this deadline is the only bound there is.
    deadline: Date.now() + inputs.timeoutSeconds * 1000,
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

/** Endpoint precedence: the `endpoint` input, then `<cloud>:endpoint` config, then the cloud's environment variable. */
export function driverRequest(cloud: CloudDescriptor, inputs: ClusterPowerInputs): DriverRequest {
  const regionReason = cloud.regionRequired(inputs);
  if (!inputs.region && regionReason) throw new ConfigurationError("region", `is required ${regionReason}`);
  const options = Object.fromEntries(Object.keys(cloud.inputs).filter((name) => inputs[name] !== undefined).map((name) => [name, inputs[name]]));
  return { region: inputs.region, endpoint: inputs.endpoint, config: config.clouds[cloud.name] ?? {}, options, env: process.env };
}

/** Re-validates what the engine hands over (state written by older versions included). */
function parseInputs(props: Record<string, unknown>): ClusterPowerInputs {
  const { inputs, failures } = checkInputs(pickInputs(props));
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
export function outputsOf(inputs: ClusterPowerInputs, observed: Partial<ObservedFields>): ClusterPowerOutputs {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries({ ...inputs, ...observed })) {
    if (value !== undefined && value !== null) out[key] = value;
  }
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

