import { CLOUDS } from "../../src/clouds";
import { startEmulator, type Emulator } from "../../src/emulator/server";
import { ProviderHost, urnOf, type Props } from "../engine-client";
import { FLEET_TYPE, hostCost, tencentAccount, zillizAccount, type FleetAccount } from "./fleet";

/**
 * Refresh at fleet scale: N Tencent + N Zilliz resources read at once (what `pulumi refresh`, or
 * every `up` of a program with `refresh: always`, does), three ways side by side:
 * - ours: through the real dynamic-provider host, Reads coalesced by the status watcher into
 *   batched list calls;
 * - per-resource: one describe per resource, all at once (what the provider did before);
 * - terraform: the providers' refresh replayed (Tencent: DescribeClusters filtered by the id and
 *   DescribeClusterDetail per cluster; Zilliz: one describe per cluster), at Terraform's default
 *   parallelism of 10.
 * Every run checks every observed state against the emulator's truth.
 */

export type RefreshMode = "ours" | "per-resource" | "terraform";

export interface RefreshRow {
  mode: RefreshMode;
  /** Clusters per cloud. */
  n: number;
  /** Read calls the emulator saw, both clouds. */
  calls: number;
  byAction: Record<string, number>;
  wallS: number;
  rateLimited: number;
  /** Observed states that differ from the emulator's (must be 0). */
  wrong: number;
  /** Resources a refresh reported gone although the cluster exists (must be 0). */
  droppedAsGone: number;
  /** Faults injected into list calls, and the calls those cost. */
  faults?: number;
  hostPeakRssMb?: number;
}

const READ_ACTIONS = ["DescribeClusterDetail", "DescribeClusters", "describe", "list"];
const TERRAFORM_PARALLELISM = 10;

export async function runRefresh(options: { n: number; mode: RefreshMode; cwd: string; project: string; providerText: string; faultRate?: number }): Promise<RefreshRow> {
  const emulator = await startEmulator({ seeds: { tencentcloud: { clusters: [] }, zillizcloud: { clusters: [] } } });
  try {
    const tag = `r${options.mode.slice(0, 2)}${options.n}`;
    const accounts = [tencentAccount(emulator, tag, options.n), zillizAccount(emulator, tag, options.n)];
    // A third of each fleet paused, the rest running: the states to read are not all alike.
    accounts[0].clusterIds.forEach((id, i) => i % 3 === 0 && emulator.part("tencentcloud").autoPause(id));
    accounts[1].clusterIds.forEach((id, i) => i % 3 === 0 && emulator.part("zillizcloud").addCluster({ clusterId: id, regionId: "aws-us-west-2", plan: "Standard", status: "STOPPED" }));
    const truth = (cloud: string, id: string) => {
      if (cloud === "tencentcloud") return emulator.part("tencentcloud").getCluster(id)?.serverlessStatus === "pause" ? "paused" : "running";
      return emulator.part("zillizcloud").getCluster(id)?.status === "STOPPED" ? "paused" : "running";
    };
    const faults = injectListFaults(emulator, options);
    // What the engine holds from the last refresh: the truth, but for three clusters per cloud
    // changed out of band since (a Tencent list cannot tell a change from a transition in progress,
    // so those cost a detail read each).
    const lastSeen = (cloud: string, id: string, i: number) => {
      const now = truth(cloud, id);
      return i % 100 === 1 ? (now === "running" ? "paused" : "running") : now;
    };
    // The clock and the request log start once the host is up and configured: the refresh only.
    const { observed, peakRssMb, wallS } =
      options.mode === "ours" ? await viaHost(accounts, lastSeen, emulator, options) : await viaDrivers(accounts, emulator, options.mode);
    const byAction: Record<string, number> = {};
    for (const entry of emulator.log.find({ action: READ_ACTIONS })) byAction[entry.action] = (byAction[entry.action] ?? 0) + 1;
    let wrong = 0;
    let droppedAsGone = 0;
    for (const account of accounts) {
      for (const id of account.clusterIds) {
        const seen = observed.get(id);
        if (seen === "gone") droppedAsGone++;
        else if (seen !== truth(account.cloud, id)) wrong++;
      }
    }
    return {
      mode: options.mode,
      n: options.n,
      calls: Object.values(byAction).reduce((a, b) => a + b, 0),
      byAction,
      wallS,
      rateLimited: emulator.log.find().filter((e) => /RequestLimitExceeded|^429$/.test(e.outcome)).length - (faults?.rateLimits ?? 0),
      wrong,
      droppedAsGone,
      ...(faults && { faults: faults.total }),
      ...(peakRssMb !== undefined && { hostPeakRssMb: peakRssMb }),
    };
  } finally {
    await emulator.stop();
  }
}

/** About `faultRate` of the list calls a refresh of this size makes fail: 502 pages, resets, rate-limit answers. */
function injectListFaults(emulator: Emulator, options: { n: number; faultRate?: number }): { total: number; rateLimits: number } | undefined {
  if (!options.faultRate) return undefined;
  const perCloud = Math.max(1, Math.round(Math.ceil(options.n / 100) * options.faultRate * 2));
  emulator.faults.push(
    { cloud: "tencentcloud", action: "DescribeClusters", fault: { kind: "http", status: 502 }, times: perCloud },
    { cloud: "zillizcloud", action: "list", fault: { kind: "reset" }, times: Math.ceil(perCloud / 2) },
    { cloud: "zillizcloud", action: "list", fault: { kind: "error", code: "429", httpStatus: 429 }, times: Math.floor(perCloud / 2) },
  );
  return { total: perCloud * 2, rateLimits: Math.floor(perCloud / 2) };
}

async function viaHost(
  accounts: FleetAccount[],
  lastSeen: (cloud: string, id: string, i: number) => string,
  emulator: Emulator,
  options: { cwd: string; project: string; providerText: string },
) {
  const host = await ProviderHost.start({ cwd: options.cwd, project: options.project });
  const pid = (host as unknown as { child: { pid: number } }).child.pid;
  try {
    await host.configure(Object.assign({}, ...accounts.map((a) => a.config)), accounts.flatMap((a) => a.secretKeys));
    const observed = new Map<string, string>();
    emulator.log.clear();
    const started = performance.now();
    await Promise.all(
      accounts.flatMap((account) =>
        account.clusterIds.map(async (clusterId, i) => {
          const props: Props = {
            cloud: account.cloud,
            clusterId,
            region: account.region,
            ...(account.cloud === "tencentcloud" ? { forcePause: false, allowAutoPause: true } : { apiVersion: "v2" }),
            powerState: "paused",
            wait: true,
            timeoutSeconds: 600,
            onDelete: "leave",
            observedState: lastSeen(account.cloud, clusterId, i),
            rawStatus: "as last seen",
            __provider: options.providerText,
          };
          const read = await host.read(urnOf("bench", options.project, FLEET_TYPE, clusterId), clusterId, props, props);
          observed.set(clusterId, read.id ? String(read.outputs.observedState) : "gone");
        }),
      ),
    );
    return { observed, peakRssMb: hostCost(pid).peakRssMb, wallS: (performance.now() - started) / 1000 };
  } finally {
    await host.stop();
  }
}

async function viaDrivers(accounts: FleetAccount[], emulator: Emulator, mode: "per-resource" | "terraform") {
  const observed = new Map<string, string>();
  emulator.log.clear();
  const started = performance.now();
  await Promise.all(
    accounts.map(async (account) => {
      const cloud = CLOUDS.require(account.cloud);
      const config = Object.fromEntries(Object.entries(account.config).map(([k, v]) => [k.split(":")[1], v]));
      const driver = cloud.createDriver({ region: account.region, endpoint: emulator.url, config, options: {}, env: {} });
      const readOne = async (id: string) => {
        // Terraform's Tencent Read lists the cluster first (DescribeClusters filtered by id), then reads the detail.
        if (mode === "terraform" && account.cloud === "tencentcloud") await driver.describeMany!([id]);
        const snapshot = await driver.describe(id);
        observed.set(id, snapshot.power);
      };
      if (mode === "per-resource") await Promise.all(account.clusterIds.map(readOne));
      else await pool(account.clusterIds, TERRAFORM_PARALLELISM, readOne);
    }),
  );
  return { observed, peakRssMb: undefined, wallS: (performance.now() - started) / 1000 };
}

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}
