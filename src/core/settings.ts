import type { CloudSettings } from "./cloud";
import type { CloudDriver, SettingsReceipt, SettingsValues } from "./power";

/**
 * Cluster settings besides power (see CloudSettings): which ones the inputs manage, which differ,
 * what the outputs say. Pure functions plus one thin shell, reconcileSettings(), shared by the
 * provider and the CLI.
 */

/** The managed settings of these inputs (set ones only), or undefined when none is set: then nothing is called. */
export function desiredSettings(settings: CloudSettings | undefined, inputs: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  if (!settings) return undefined;
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(settings.fields)) {
    if (inputs[name] !== undefined && inputs[name] !== null) out[name] = inputs[name];
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The desired settings the cloud does not have yet, with their desired values. */
export function settingsChanges(desired: SettingsValues, observed: SettingsValues): Record<string, unknown> {
  return Object.fromEntries(Object.entries(desired).filter(([name, value]) => observed[name] !== value));
}

/**
 * For diff: the managed settings whose recorded value (old outputs, or refreshed ones) is not the
 * desired one. A setting never read, or a value still unknown in preview, differs too.
 */
export function settingsDrift(settings: CloudSettings | undefined, olds: Readonly<Record<string, unknown>>, news: Readonly<Record<string, unknown>>): string[] {
  const desired = desiredSettings(settings, news);
  if (!settings || !desired) return [];
  return Object.keys(desired).filter((name) => olds[settings.fields[name]] !== desired[name]);
}

/** Outputs for values the cloud reported (every setting it reported, managed or not) and for a change's receipt. */
export function settingsOutputs(settings: CloudSettings, values: SettingsValues, receipt?: SettingsReceipt): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, output] of Object.entries(settings.fields)) {
    if (values[name] !== undefined && values[name] !== null) out[output] = values[name];
  }
  if (receipt) {
    out[settings.receiptOutputs.requestId] = receipt.requestId;
    if (settings.receiptOutputs.taskId && receipt.taskId !== undefined) out[settings.receiptOutputs.taskId] = receipt.taskId;
  }
  return out;
}

/**
 * The settings outputs of old outputs that still hold without a read: the last change's receipt
 * (history, like a pause's flowId) always; the observed values only while some setting is
 * managed, since nothing reads them once none is.
 */
export function carriedSettingsOutputs(settings: CloudSettings | undefined, olds: Readonly<Record<string, unknown>>, managed: boolean): Record<string, unknown> {
  if (!settings) return {};
  const keys = [...Object.values(settings.receiptOutputs), ...(managed ? Object.values(settings.fields) : [])];
  const out: Record<string, unknown> = {};
  for (const key of keys) if (key !== undefined && olds[key] !== undefined && olds[key] !== null) out[key] = olds[key];
  return out;
}

export interface SettingsOutcome {
  /** What the cloud reported, with the accepted change applied. */
  values: SettingsValues;
  /** What was sent (empty when nothing differed). */
  changes: Record<string, unknown>;
  /** The change call's receipt; absent when nothing was sent. */
  receipt?: SettingsReceipt;
  /** RequestId of the read. */
  readRequestId?: string;
}

/** One read, then at most one write of the differing managed settings only. */
export async function reconcileSettings(driver: CloudDriver, clusterId: string, desired: SettingsValues, signal?: AbortSignal): Promise<SettingsOutcome> {
  if (!driver.readSettings || !driver.writeSettings) throw new Error(`the ${driver.cloud} driver has no readSettings/writeSettings, although its descriptor declares settings`);
  const reading = await driver.readSettings(clusterId, signal);
  const changes = settingsChanges(desired, reading.values);
  if (Object.keys(changes).length === 0) return { values: reading.values, changes, readRequestId: reading.requestId };
  const receipt = await driver.writeSettings(clusterId, changes, signal);
  // The accepted values, rather than a second read: a change the cloud applies as a job may not
  // show at once, and would then look like drift and be sent again. Refresh reads them back.
  return { values: { ...reading.values, ...changes }, changes, receipt, readRequestId: reading.requestId };
}

/** Every output key these settings may write (the program side registers them as outputs). */
export function settingsOutputKeys(settings: CloudSettings | undefined): string[] {
  if (!settings) return [];
  return [...Object.values(settings.fields), ...Object.values(settings.receiptOutputs)].filter((key): key is string => key !== undefined);
}
