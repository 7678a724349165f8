import { createDriver, type DriverSettings } from "../clouds";
import { ClusterNotFoundError, ConfigurationError, describeError, redact, registerSecret, TransitionError } from "../core/errors";
import type { CloudDriver, ClusterSnapshot, WriteReceipt } from "../core/power";
import { transition } from "../core/transition";
import { statusReaderFor } from "../core/watcher";
import {
  checkInputs,
  ClusterPowerInputsSchema,
  diffState,
  INPUT_NAMES,
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

/** Stack config keys read in configure(). Secrets are kept in this process only. */
export const CONFIG_KEYS = {
  tencentSecretId: "tencentcloud:secretId",
  tencentSecretKey: "tencentcloud:secretKey",
  tencentToken: "tencentcloud:securityToken",
  tencentEndpoint: "tencentcloud:endpoint",
  zillizApiKey: "zillizcloud:apiKey",
  zillizEndpoint: "zillizcloud:endpoint",
} as const;

interface ProviderConfig {
  tencent: { secretId?: string; secretKey?: string; token?: string; endpoint?: string };
  zilliz: { apiKey?: string; endpoint?: string };
}

let config: ProviderConfig = { tencent: {}, zilliz: {} };
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
  const next: ProviderConfig = {
    tencent: {
      secretId: get(CONFIG_KEYS.tencentSecretId),
      secretKey: get(CONFIG_KEYS.tencentSecretKey),
      token: get(CONFIG_KEYS.tencentToken),
      endpoint: get(CONFIG_KEYS.tencentEndpoint),
    },
    zilliz: { apiKey: get(CONFIG_KEYS.zillizApiKey), endpoint: get(CONFIG_KEYS.zillizEndpoint) },
  };
  for (const secret of [next.tencent.secretKey, next.tencent.token, next.zilliz.apiKey]) registerSecret(secret);
  config = next;
  drivers.clear();
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
    if (isGone(snapshot)) return { id: "", props: {} };
    const outs = outputsOf(inputs, { ...previous, ...observe(snapshot) });
    // A change that never completed left powerState out of the outputs (see apply): keep it out,
    // rather than let the input default stand in for a state this resource never reached.
    if (props.powerState === undefined) delete (outs as Partial<ClusterPowerOutputs>).powerState;
    return { id, props: outs };
  } catch (error) {
    if (error instanceof ClusterNotFoundError) return { id: "", props: {} };
    // Without this, a read cut off by timeoutSeconds surfaces as a bare "request aborted".
    if (deadline.aborted) {
      throw new Error(`${inputs.clusterId}: no answer from ${inputs.cloud} within timeoutSeconds (${inputs.timeoutSeconds} s) while reading the cluster; nothing was changed. Run refresh again, or raise timeoutSeconds.`);
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
    if (isNotFound(error)) return;
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
      throw new PartialResultError(redact(error.message), id, outputs);
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
  return {
    wait,
    // The host ignores customTimeouts and Cancel: this deadline is the only bound there is.
    deadline: Date.now() + inputs.timeoutSeconds * 1000,
    forcePause: inputs.forcePause ?? false,
    read: statusReaderFor(driver),
  };
}

function driverFor(inputs: ClusterPowerInputs): CloudDriver {
  const settings = driverSettings(inputs);
  const key = JSON.stringify({ ...settings, credentials: undefined, apiKey: undefined });
  let driver = drivers.get(key);
  if (!driver) {
    driver = createDriver(settings);
    drivers.set(key, driver);
  }
  return driver;
}

/** Endpoint precedence: the `endpoint` input, then `<cloud>:endpoint` config, then the drivers' env variables. */
export function driverSettings(inputs: ClusterPowerInputs): DriverSettings {
  if (inputs.cloud === "tencentcloud") {
    if (!inputs.region) throw new ConfigurationError("region", "is required for tencentcloud, e.g. ap-guangzhou.");
    const { secretId, secretKey, token } = config.tencent;
    return {
      cloud: "tencentcloud",
      region: inputs.region,
      endpoint: inputs.endpoint ?? config.tencent.endpoint,
      credentials: { secretId, secretKey, token },
    };
  }
  return {
    cloud: "zillizcloud",
    region: inputs.region,
    apiVersion: inputs.apiVersion ?? "v2",
    endpoint: inputs.endpoint ?? config.zilliz.endpoint,
    apiKey: config.zilliz.apiKey,
  };
}

/** Re-validates what the engine hands over (state written by older versions included). */
function parseInputs(props: Record<string, unknown>): ClusterPowerInputs {
  const { inputs, failures } = checkInputs(pickInputs(props));
  if (failures.length > 0) throw new ConfigurationError(failures[0].property, failures.map((f) => f.reason).join("; "));
  return ClusterPowerInputsSchema.parse(inputs);
}

function pickInputs(props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of INPUT_NAMES) if (props[key] !== undefined && props[key] !== null) out[key] = props[key];
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
  for (const key of ["observedState", "rawStatus", "flowId", "prompt", "requestId", "lastOperation", "lastChangedAt"]) {
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

/** A cluster the cloud reports as deleted is gone for refresh's purposes. */
function isGone(snapshot: ClusterSnapshot): boolean {
  return /\b(deleted|offlined)\b/i.test(snapshot.rawStatus) && snapshot.power === "unknown";
}

function isNotFound(error: unknown): boolean {
  if (error instanceof ClusterNotFoundError) return true;
  if (error instanceof TransitionError) {
    if (error.partial.cause instanceof ClusterNotFoundError) return true;
    if (error.reason === "failed-state" && error.partial.lastSnapshot && isGone(error.partial.lastSnapshot)) return true;
  }
  return false;
}

/** Errors cross the gRPC boundary as their message: make it clear and secret-free. */
function publicError(error: unknown): Error {
  if (error instanceof Error) {
    const clean = new Error(describeError(error));
    clean.name = error.name;
    return clean;
  }
  return new Error(describeError(error));
}

