import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import type { BuiltInCloud as CloudName } from "../../src/clouds";
import type { Emulator } from "../../src/emulator/server";
import { keyFingerprint } from "../../src/clouds/zilliz/config";
import { Engine, ProviderHost, type RegisteredResource } from "../engine-client";

/**
 * Part 1 and 4: N clusters of one cloud created at once through Pulumi's real dynamic-provider host
 * (spawned from the project root, called over gRPC with the SDK's stubs), as `pulumi up` with its
 * default unbounded --parallel would. The emulator's request log is the referee: it counts every
 * call, and every rate-limit refusal it had to make.
 */

export const FLEET_TYPE = "pulumi-nodejs:dynamic/cluster-power:ClusterPowerState";

export interface FleetAccount {
  cloud: CloudName;
  /** Stack config the engine sends to Configure (credentials and endpoint). */
  config: Record<string, string>;
  secretKeys: string[];
  /** How the emulator names this account in its log. */
  caller: string;
  region: string;
  clusterIds: string[];
}

export interface FleetRow {
  cloud: CloudName;
  /** Tencent DescribeClusters showing only steady states (documented; default) or pausing/resuming too. */
  mode?: "steady" | "transitions";
  n: number;
  transitionS: number;
  /** All in unscaled seconds except where noted. */
  wallS: number;
  boundS: number;
  /** wall / bound */
  ratio: number;
  /** Writes per second between the first and the last write (real seconds: rate limits are not scaled). */
  writeRate: number;
  rateLimited: number;
  failures: number;
  /** Per-operation duration (Check + Create), real seconds. */
  opMedianS: number;
  opMaxS: number;
  byAction: Record<string, number>;
  /** Most requests of each action the emulator saw in any 1 s window (the documented limit is per second). */
  peakPerSecond: Record<string, number>;
  /** Reads the operations asked the watcher for vs describe calls the cloud saw. */
  describeCalls: number;
  host: HostCost;
  stateBytesPerResource: number;
  providerBytes: number;
}

export interface HostCost {
  /** Spawn to the port line (real ms). */
  startMs: number;
  /** Spawn to the first pause/suspend call the emulator logged (real ms). */
  firstWriteMs: number;
  peakRssMb: number;
  cpuS: number;
}

const WRITE_ACTIONS = new Set(["PauseServerless", "ResumeServerless", "suspend", "resume"]);
const RATE_LIMITED = new Set(["RequestLimitExceeded", "RateLimited"]);

export async function runFleet(options: {
  emulator: Emulator;
  account: FleetAccount;
  providerText: string;
  scale: number;
  transitionS: number;
  cwd: string;
  project: string;
}): Promise<FleetRow> {
  const { emulator, account, scale } = options;
  const n = account.clusterIds.length;
  emulator.setTransitionMs(options.transitionS * 1000 * scale);
  const spawnedAt = Date.now();
  const host = await ProviderHost.start({ cwd: options.cwd, project: options.project, });
  const pid = (host as unknown as { child: ChildProcess }).child.pid!;
  try {
    await host.configure({ ...account.config, "cluster-power:timeScale": String(scale) }, account.secretKeys);
    const engine = new Engine(host);
    const resources: RegisteredResource[] = account.clusterIds.map((clusterId, i) => ({
      urn: `urn:pulumi:bench::${options.project}::${FLEET_TYPE}::${account.cloud}-${n}-${i}`,
      type: FLEET_TYPE,
      name: `${account.cloud}-${n}-${i}`,
      inputs: { cloud: account.cloud, clusterId, region: account.region, powerState: "paused", __provider: options.providerText },
    }));
    const started = Date.now();
    const steps = await engine.up(resources);
    const wallMs = Date.now() - started;
    const cost = hostCost(pid);

    const mine = emulator.log.entries.filter((e) => e.cloud === account.cloud && e.caller === account.caller && e.at >= spawnedAt);
    const writes = mine.filter((e) => WRITE_ACTIONS.has(e.action) && e.outcome === "ok").map((e) => e.at);
    const byAction: Record<string, number> = {};
    for (const e of mine) byAction[e.action] = (byAction[e.action] ?? 0) + 1;
    const peakPerSecond: Record<string, number> = {};
    for (const action of Object.keys(byAction)) peakPerSecond[action] = maxInWindow(mine.filter((e) => e.action === action).map((e) => e.at), 1000);
    const durations = steps.map((s) => s.ms / 1000).sort((a, b) => a - b);
    const failed = steps.filter((s) => s.error || s.failures?.length);
    if (failed.length > 0) console.error(`fleet ${account.cloud} N=${n}: ${failed.length} failed, e.g. ${failed[0].error?.message ?? JSON.stringify(failed[0].failures)}`);
    const transitionRealS = options.transitionS * scale;
    const boundS = n / 20 + transitionRealS;
    const stateBytes = [...engine.state.values()].map((e) => Buffer.byteLength(JSON.stringify({ urn: e.urn, type: e.type, id: e.id, inputs: e.inputs, outputs: e.outputs })));
    return {
      cloud: account.cloud,
      n,
      transitionS: options.transitionS,
      wallS: wallMs / 1000,
      boundS,
      ratio: wallMs / 1000 / boundS,
      writeRate: writes.length > 1 ? (writes.length - 1) / ((Math.max(...writes) - Math.min(...writes)) / 1000) : 0,
      rateLimited: mine.filter((e) => RATE_LIMITED.has(e.outcome)).length,
      failures: failed.length,
      opMedianS: durations[Math.floor(durations.length / 2)],
      opMaxS: durations[durations.length - 1],
      byAction,
      peakPerSecond,
      describeCalls: mine.filter((e) => !WRITE_ACTIONS.has(e.action)).length,
      host: { ...cost, startMs: host.startMs, firstWriteMs: writes.length ? Math.min(...writes) - spawnedAt : NaN },
      stateBytesPerResource: stateBytes.reduce((a, b) => a + b, 0) / Math.max(1, stateBytes.length),
      providerBytes: Buffer.byteLength(options.providerText),
    };
  } finally {
    await host.stop();
  }
}

/** Pure: the most timestamps (sorted or not) that fall inside any window of `windowMs`. */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** The host alone, before any provider call: what @pulumi/pulumi's dynamic-provider host costs by itself. */
export async function idleHostCost(cwd: string, project: string): Promise<HostCost> {
  const host = await ProviderHost.start({ cwd, project });
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const pid = (host as unknown as { child: ChildProcess }).child.pid!;
    return { ...hostCost(pid), startMs: host.startMs, firstWriteMs: NaN };
  } finally {
    await host.stop();
  }
}

/**
 * The host driven with the fleet's Check + Create burst for a provider that does nothing.
 * `holdMs(i)` keeps resource i's Create pending that long (undefined: answered at once).
 */
export async function trivialHostCost(cwd: string, project: string, providerText: string, n: number, holdMs?: (i: number) => number): Promise<HostCost> {
  const host = await ProviderHost.start({ cwd, project });
  try {
    const pid = (host as unknown as { child: ChildProcess }).child.pid!;
    const engine = new Engine(host);
    const steps = await engine.up(
      Array.from({ length: n }, (_, i) => ({
        urn: `urn:pulumi:bench::${project}::pulumi-nodejs:dynamic:Resource::trivial-${i}`,
        type: "pulumi-nodejs:dynamic:Resource",
        name: `trivial-${i}`,
        inputs: { clusterId: `trivial-${i}`, powerState: "paused", ...(holdMs ? { holdMs: holdMs(i) } : {}), __provider: providerText },
      })),
    );
    const failed = steps.find((s) => s.error);
    if (failed) throw new Error(`baseline provider failed: ${failed.error!.message}`);
    return { ...hostCost(pid), startMs: host.startMs, firstWriteMs: NaN };
  } finally {
    await host.stop();
  }
}

/**
 * Runs `fn` with the dynamic-provider host started by `node <flags>`: for diagnosis only (the
 * host is shared with other providers, so production never sets V8 flags in it). NODE_OPTIONS
 * refuses most V8 flags, so a wrapper script stands in for the node binary while the host spawns.
 */
export async function withHostNodeFlags<T>(scratchDir: string, flags: string[], fn: () => Promise<T>): Promise<T> {
  mkdirSync(scratchDir, { recursive: true });
  const wrapper = join(scratchDir, `node-with-flags-${process.pid}`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${flags.join(" ")} "$@"\n`, { mode: 0o755 });
  const real = process.execPath;
  process.execPath = wrapper;
  try {
    return await fn();
  } finally {
    process.execPath = real;
    rmSync(wrapper, { force: true });
  }
}

/** Peak resident set (VmHWM) and CPU time (utime + stime) of a live process, from /proc. */
export function hostCost(pid: number): { peakRssMb: number; cpuS: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const hwmKb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { peakRssMb: hwmKb / 1024, cpuS: ticks / 100 };
}

export function tencentAccount(emulator: Emulator, tag: string, n: number): FleetAccount {
  const secretId = `AKIDfleet${tag}`.padEnd(36, "0");
  const secretKey = `fleet-secret-${tag}`;
  emulator.part("tencentcloud").addKey({ secretId, secretKey });
  const clusterIds = Array.from({ length: n }, (_, i) => `cynosdbmysql-f${tag}${String(i).padStart(4, "0")}`);
  for (const clusterId of clusterIds) emulator.part("tencentcloud").addCluster({ clusterId, region: "ap-guangzhou", serverlessStatus: "resume" });
  return {
    cloud: "tencentcloud",
    config: { "tencentcloud:secretId": secretId, "tencentcloud:secretKey": secretKey, "tencentcloud:endpoint": emulator.url },
    secretKeys: ["tencentcloud:secretKey"],
    caller: secretId,
    region: "ap-guangzhou",
    clusterIds,
  };
}

export function zillizAccount(emulator: Emulator, tag: string, n: number): FleetAccount {
  const apiKey = `fleet-zilliz-key-${tag}-0000000000000000`;
  emulator.part("zillizcloud").addApiKey(apiKey);
  const clusterIds = Array.from({ length: n }, (_, i) => `in01-f${tag}${String(i).padStart(8, "0")}`);
  for (const clusterId of clusterIds) emulator.part("zillizcloud").addCluster({ clusterId, regionId: "aws-us-west-2", plan: "Standard" });
  return {
    cloud: "zillizcloud",
    config: { "zillizcloud:apiKey": apiKey, "zillizcloud:endpoint": emulator.url },
    secretKeys: ["zillizcloud:apiKey"],
    caller: keyFingerprint(apiKey),
    region: "aws-us-west-2",
    clusterIds,
  };
}
