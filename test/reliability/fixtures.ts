import { randomBytes } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Fault, FaultRule } from "../../src/emulator/faults";
import { secretConfigKeys } from "../../src/clouds";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/server";
import type { TencentKey, TencentSeed } from "../../src/clouds/tencent/emulator";
import type { ZillizSeed } from "../../src/clouds/zilliz/emulator";
import {
  Engine,
  PROJECT,
  ProviderHost,
  ROOT,
  serializedShim,
  TYPE,
  urnOf,
  type Props,
} from "../harness/provider-harness";

/**
 * Shared pieces of the reliability suites: canary credentials, one adapter per cloud (seed a
 * cluster, read its live state, name its actions and faults), and a provider host configured
 * with the canaries against an emulator that knows them.
 */

// ---- canaries -----------------------------------------------------------------------------------

/** A marker unique to this run; every secret carries it, so any leak is found by one search. */
export const CANARY_MARKER = `canary${randomBytes(6).toString("hex")}`;

export const CANARY = {
  /** The SecretId is an identifier (it names quotas and shows in logs); it carries no marker. */
  tencentSecretId: "AKIDreliability000000000000000000000000",
  tencentSecretKey: `tcsk-${CANARY_MARKER}-secret-key`,
  tencentToken: `tctoken-${CANARY_MARKER}-session`,
  zillizApiKey: `zk-${CANARY_MARKER}-api-key`,
};

/** Every credential value a leak would consist of. */
export const CANARY_SECRETS = [CANARY.tencentSecretKey, CANARY.tencentToken, CANARY.zillizApiKey, CANARY_MARKER];

/** Returns the labels of the texts that contain a canary, each with the text around it. */
export function findCanaries(texts: Record<string, string>): string[] {
  return Object.entries(texts).flatMap(([label, text]) => {
    const at = text.indexOf(CANARY_MARKER);
    if (at < 0) return [];
    return [`${label}: ...${text.slice(Math.max(0, at - 160), at + 40).split(CANARY_MARKER).join("<CANARY>")}...`];
  });
}

/**
 * The request log as text, minus the two places the protocols require credentials: the
 * Authorization header (both clouds) and X-TC-Token (Tencent temporary keys).
 */
export function requestLogText(emulator: Emulator): string {
  return JSON.stringify(
    emulator.log.entries.map(({ authorization: _auth, headers, ...rest }) => {
      const { "x-tc-token": _token, ...other } = headers;
      return { ...rest, headers: other };
    }),
  );
}

export const canaryTencentKey = (extra: Partial<TencentKey> = {}): TencentKey => ({
  secretId: CANARY.tencentSecretId,
  secretKey: CANARY.tencentSecretKey,
  ...extra,
});

/** An emulator that knows the canary credentials and starts with no clusters. */
export function startCanaryEmulator({ tencent, zilliz, ...options }: EmulatorOptions & { tencent?: TencentSeed; zilliz?: ZillizSeed } = {}): Promise<Emulator> {
  return startEmulator({
    transitionMs: 300,
    ...options,
    seeds: {
      tencentcloud: { keys: [canaryTencentKey()], clusters: [], ...tencent },
      zillizcloud: { apiKeys: [CANARY.zillizApiKey], clusters: [], ...zilliz },
    },
  });
}

export function canaryConfig(emulator: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [`${PROJECT}:unrelated`]: "value",
    "tencentcloud:secretId": CANARY.tencentSecretId,
    "tencentcloud:secretKey": CANARY.tencentSecretKey,
    "tencentcloud:endpoint": emulator.url,
    "zillizcloud:apiKey": CANARY.zillizApiKey,
    "zillizcloud:endpoint": emulator.url,
    // The emulator's clusters settle in a fraction of a second: poll on the same scale.
    "cluster-power:timeScale": "0.01",
    ...extra,
  };
}

export const CANARY_SECRET_KEYS = secretConfigKeys();

// ---- hosts --------------------------------------------------------------------------------------

export interface RunningHost {
  host: ProviderHost;
  pid: number;
  /** Kills the host at once, as a crash or a second Ctrl-C would. */
  kill(): Promise<void>;
}

/** The dynamic-provider host, started from the project root with a short time scale, configured with canaries. */
export async function startCanaryHost(
  emulator: Emulator,
  options: { config?: Record<string, string>; env?: NodeJS.ProcessEnv } = {},
): Promise<RunningHost> {
  const host = await ProviderHost.start({ cwd: ROOT, project: PROJECT, env: { ...options.env } });
  await host.configure(options.config ?? canaryConfig(emulator), CANARY_SECRET_KEYS);
  // ProviderHost keeps its child private; the crash and memory tests need the process itself.
  const child = (host as unknown as { child: ChildProcess }).child;
  return {
    host,
    pid: child.pid!,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}

/** VmRSS of a process in KiB, from /proc. */
export function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

let shimText: string | undefined;
export async function shim(): Promise<string> {
  shimText ??= (await serializedShim()).text;
  return shimText;
}

export function resource(name: string, inputs: Props, providerText: string) {
  return { urn: urnOf("reliability", PROJECT, TYPE, name), type: TYPE, name, inputs: { ...inputs, __provider: providerText } };
}

export { Engine, type Props };

// ---- clouds -------------------------------------------------------------------------------------

export type Cloud = "tencentcloud" | "zillizcloud";
export type Live = "running" | "paused" | "pausing" | "resuming" | "gone" | string;

export interface CloudKit {
  cloud: Cloud;
  /** Seeds a new cluster with a unique id in the given steady state. */
  newCluster(emulator: Emulator, state: "running" | "paused"): string;
  live(emulator: Emulator, clusterId: string): Live;
  remove(emulator: Emulator, clusterId: string): void;
  inputs(clusterId: string): Props;
  writeAction: { pause: string; resume: string };
  writeActions: string[];
  describeAction: string;
  /** The cloud's answer to too many requests. */
  rateLimited: Fault;
  /** The cloud's internal server error. */
  internalError: Fault;
  /** Text that identifies the internal error in messages. */
  internalErrorCode: string;
}

let serial = 0;
const nextSuffix = () => `${Date.now().toString(36).slice(-4)}${(serial++).toString(36).padStart(4, "0")}`;

export const TENCENT: CloudKit = {
  cloud: "tencentcloud",
  newCluster(emulator, state) {
    const clusterId = `cynosdbmysql-r${nextSuffix()}`;
    emulator.part("tencentcloud").addCluster({ clusterId, region: "ap-guangzhou", serverlessStatus: state === "paused" ? "pause" : "resume" });
    return clusterId;
  },
  live(emulator, clusterId) {
    const c = emulator.part("tencentcloud").getCluster(clusterId);
    if (!c) return "gone";
    return ({ resume: "running", pause: "paused" } as Record<string, string>)[c.serverlessStatus] ?? c.serverlessStatus;
  },
  remove: (emulator, clusterId) => void emulator.part("tencentcloud").removeCluster(clusterId),
  inputs: (clusterId) => ({ cloud: "tencentcloud", clusterId, region: "ap-guangzhou" }),
  writeAction: { pause: "PauseServerless", resume: "ResumeServerless" },
  writeActions: ["PauseServerless", "ResumeServerless"],
  describeAction: "DescribeClusterDetail",
  rateLimited: { kind: "error", code: "RequestLimitExceeded", message: "Your current request times equals to `20` in a second, which exceeds the frequency limit." },
  internalError: { kind: "error", code: "InternalError", message: "An internal error has occurred. Retry your request." },
  internalErrorCode: "InternalError",
};

export const ZILLIZ: CloudKit = {
  cloud: "zillizcloud",
  newCluster(emulator, state) {
    const clusterId = `in01-r${nextSuffix()}`;
    emulator.part("zillizcloud").addCluster({ clusterId, regionId: "aws-us-west-2", plan: "Standard", status: state === "paused" ? "STOPPED" : "RUNNING" });
    return clusterId;
  },
  live(emulator, clusterId) {
    const c = emulator.part("zillizcloud").getCluster(clusterId);
    if (!c) return "gone";
    return ({ RUNNING: "running", STOPPED: "paused", STOPPING: "pausing", RESUMING: "resuming" } as Record<string, string>)[c.status] ?? c.status;
  },
  remove: (emulator, clusterId) => void emulator.part("zillizcloud").removeCluster(clusterId),
  inputs: (clusterId) => ({ cloud: "zillizcloud", clusterId, region: "aws-us-west-2" }),
  writeAction: { pause: "suspend", resume: "resume" },
  writeActions: ["suspend", "resume"],
  describeAction: "describe",
  rateLimited: { kind: "error", code: "429", httpStatus: 429, message: "Too many requests: the control plane supports up to 20 requests per second per user per endpoint." },
  internalError: { kind: "error", code: "500", httpStatus: 500, message: "Internal Server Error" },
  internalErrorCode: "500",
};

export const KITS = [TENCENT, ZILLIZ];

/** Pause/resume calls the emulator received for one cluster (accepted or not). */
export function writeCalls(emulator: Emulator, kit: CloudKit, clusterId: string): number {
  return emulator.log.count({ cloud: kit.cloud, clusterId, action: kit.writeActions });
}

/** Resolves once the cloud has accepted a pause/resume for the cluster. */
export async function writeAccepted(emulator: Emulator, kit: CloudKit, clusterId: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (emulator.log.find({ cloud: kit.cloud, clusterId, action: kit.writeActions, outcome: "ok" }).length > 0) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no accepted write for ${clusterId} within ${timeoutMs} ms`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type { FaultRule, Emulator };
