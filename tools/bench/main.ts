import { REPO_ROOT } from "../paths";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { startEmulator, type Emulator } from "../../src/emulator/server";
import { idleHostCost, runFleet, trivialHostCost, tencentAccount, withHostNodeFlags, zillizAccount, type FleetRow } from "./fleet";
import { installProgram, INSTALLED_PROJECT, type InstalledProgram } from "./installed";
import { measureProviderSizes, serializeProvider, type ProviderSizes } from "./provider-size";
import { holdingProvider, loadedHoldingProvider, trivialProvider } from "./trivial-provider";
import { renderReport, type BenchResults, type HostDiagnosis } from "./report";
import { phaseTransitionMs, runTransitionBench, TRANSITION_TS, type TransitionRow } from "./transition-bench";
import { runRefresh, type RefreshRow } from "./refresh";

/**
 * `npm run bench`: every part side by side in one process run, against one local emulator that
 * enforces the clouds' documented limits (20 req/s per action or endpoint; 1000/s for Tencent
 * DescribeClusters). Transition times and poll schedules are scaled together; rate limits are not.
 * Writes BENCHMARKS.md, bench/fleet.svg, bench/transition.svg and bench/results.json.
 */

const ROOT = REPO_ROOT;
/** Fleet: T = 60 s run at 0.1 (6 s), so 300 clusters take ~21 s against their bound. */
const FLEET_SCALE = Number(process.env.BENCH_FLEET_SCALE ?? 0.1);
const FLEET_T = 60;
const FLEET_NS = (process.env.BENCH_FLEET_NS ?? "20,100,300").split(",").map(Number);
/** Transitions: 5/60/300 s run at 0.05 (0.25/3/15 s). */
const TRANSITION_SCALE = Number(process.env.BENCH_TRANSITION_SCALE ?? 0.1);
const TRANSITION_REPS = Number(process.env.BENCH_TRANSITION_REPS ?? 40);
/** Refresh: clusters per cloud for our path; the baselines run at the first size only (they take N/20 s). */
const REFRESH_NS = (process.env.BENCH_REFRESH_NS ?? "300,1000,3000").split(",").map(Number);
const REFRESH_FAULT_RATE = 0.05;

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

function machine(): BenchResults["machine"] {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
  let nproc = cpus().length;
  try {
    nproc = Number(execFileSync("nproc", { encoding: "utf8" }).trim());
  } catch {
    // nproc missing: os.cpus() is close enough.
  }
  return { nproc, model, memoryGb: totalmem() / 1024 ** 3, node: process.version, platform: `${process.platform} ${process.arch}`, date: new Date().toISOString() };
}

async function transitionPart(): Promise<TransitionRow[]> {
  const tKey = (runner: string, t: number, rep: number) => ({ secretId: `AKIDtr${runner.slice(0, 2)}${t}r${rep}x`.padEnd(36, "0"), secretKey: `tr-secret-${runner}-${t}-${rep}` });
  const zKey = (runner: string, t: number, rep: number) => `transition-zilliz-${runner}-${t}-${rep}-0000000000`;
  const tCluster = (runner: string, t: number, rep: number) => `cynosdbmysql-tr${runner.slice(0, 1)}${String(t).padStart(3, "0")}r${rep}`;
  const zCluster = (runner: string, t: number, rep: number) => `in01-tr${runner.slice(0, 1)}${String(t).padStart(3, "0")}r${rep}00`;
  const keys = [];
  const apiKeys = [];
  const tencentClusters = [];
  const zillizClusters = [];
  for (const runner of ["ours", "terraform"]) {
    for (const t of TRANSITION_TS) {
      for (let rep = 0; rep < TRANSITION_REPS; rep++) {
        keys.push(tKey(runner, t, rep));
        apiKeys.push(zKey(runner, t, rep));
        const transitionMs = phaseTransitionMs(t, rep, TRANSITION_REPS, TRANSITION_SCALE);
        tencentClusters.push({ clusterId: tCluster(runner, t, rep), region: "ap-guangzhou", transitionMs });
        zillizClusters.push({ clusterId: zCluster(runner, t, rep), regionId: "aws-us-west-2", plan: "Standard" as const, transitionMs });
      }
    }
  }
  const emulator = await startEmulator({ seeds: { tencentcloud: { keys, clusters: tencentClusters }, zillizcloud: { apiKeys, clusters: zillizClusters } } });
  try {
    return await runTransitionBench({
      emulator,
      scale: TRANSITION_SCALE,
      reps: TRANSITION_REPS,
      tencentKey: tKey,
      zillizKey: zKey,
      tencentCluster: tCluster,
      zillizCluster: zCluster,
    });
  } finally {
    await emulator.stop();
  }
}

async function fleetPart(program: InstalledProgram, providerText: string, emulator: Emulator, mode: "steady" | "transitions"): Promise<FleetRow[]> {
  const rows: FleetRow[] = [];
  for (const cloud of ["tencentcloud", "zillizcloud"] as const) {
    if (mode === "transitions" && cloud !== "tencentcloud") continue;
    for (const n of mode === "transitions" ? [Math.max(...FLEET_NS)] : FLEET_NS) {
      const tag = `${mode === "transitions" ? "v" : ""}${n}`;
      const account = cloud === "tencentcloud" ? tencentAccount(emulator, tag, n) : zillizAccount(emulator, tag, n);
      const row = await runFleet({ emulator, account, providerText, scale: FLEET_SCALE, transitionS: FLEET_T, cwd: program.dir, project: INSTALLED_PROJECT });
      // Later runs should not page through this run's clusters.
      for (const id of account.clusterIds) cloud === "tencentcloud" ? emulator.part("tencentcloud").removeCluster(id) : emulator.part("zillizcloud").removeCluster(id);
      rows.push({ ...row, mode });
      log(
        `fleet ${cloud}${mode === "transitions" ? " (list shows pausing)" : ""} N=${n}: wall ${row.wallS.toFixed(2)} s vs bound ${row.boundS.toFixed(2)} s (x${row.ratio.toFixed(3)}), ` +
          `writes ${row.writeRate.toFixed(1)}/s, rate-limited ${row.rateLimited}, op max/median ${(row.opMaxS / row.opMedianS).toFixed(2)}, host RSS ${row.host.peakRssMb.toFixed(0)} MB`,
      );
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const started = Date.now();
  const results: BenchResults = {
    machine: machine(),
    settings: { fleetScale: FLEET_SCALE, fleetT: FLEET_T, fleetNs: FLEET_NS, transitionScale: TRANSITION_SCALE, transitionReps: TRANSITION_REPS },
  } as BenchResults;
  log(`machine: ${results.machine.nproc} cpu (${results.machine.model}), ${results.machine.memoryGb.toFixed(1)} GB, Node ${results.machine.node}`);

  // The production path: the fleet runs from a program that installed the package in node_modules.
  const program = installProgram(ROOT);
  try {
    const sizes: ProviderSizes = await measureProviderSizes(program);
    results.provider = { ...sizes, oursText: undefined } as unknown as ProviderSizes;
    log(`__provider: ours (installed) ${sizes.oursBytes} B, shim ${sizes.shimBytes} B, documented pattern ${sizes.documentedBytes} B`);

    log(`transitions: T = ${TRANSITION_TS.join(", ")} s at scale ${TRANSITION_SCALE}, ${TRANSITION_REPS} runs each, ours and Terraform's schedule side by side`);
    results.transitions = await transitionPart();
    for (const r of results.transitions) log(`  ${r.cloud} T=${r.transitionS}s ${r.runner}: ${r.calls} calls, lag ${r.lagS.toFixed(2)} s`);

    results.refresh = await refreshPart(program, sizes.oursText);

    await baselines(results, program);
    log(`fleet: N = ${FLEET_NS.join(", ")} per cloud through the dynamic-provider host, T = ${FLEET_T} s at scale ${FLEET_SCALE}`);
    const steady = await startEmulator({});
    try {
      results.fleet = await fleetPart(program, sizes.oursText, steady, "steady");
      results.diagnoses = await hostDiagnoses(program, sizes.oursText, steady);
    } finally {
      await steady.stop();
    }
    const showing = await startEmulator({ seeds: { tencentcloud: { describeClustersShowsTransitions: true } } });
    try {
      results.fleet.push(...(await fleetPart(program, sizes.oursText, showing, "transitions")));
    } finally {
      await showing.stop();
    }
  } finally {
    program.remove();
  }

  results.totalS = (Date.now() - started) / 1000;
  const out = join(ROOT, "bench");
  mkdirSync(out, { recursive: true });
  const report = renderReport(results);
  writeFileSync(join(out, "fleet.svg"), report.fleetSvg);
  writeFileSync(join(out, "transition.svg"), report.transitionSvg);
  writeFileSync(join(out, "refresh.svg"), report.refreshSvg);
  writeFileSync(join(out, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(ROOT, "BENCHMARKS.md"), report.markdown);
  log(`done in ${results.totalS.toFixed(1)} s: BENCHMARKS.md, bench/fleet.svg, bench/transition.svg, bench/results.json`);
  for (const line of report.verdicts) log(line);
}

async function refreshPart(program: InstalledProgram, providerText: string): Promise<RefreshRow[]> {
  log(`refresh: ${REFRESH_NS.join(", ")} clusters per cloud through the host; per-resource and Terraform's refresh at ${REFRESH_NS[0]}`);
  const rows: RefreshRow[] = [];
  const run = async (n: number, mode: RefreshRow["mode"], faultRate?: number) => {
    const row = await runRefresh({ n, mode, cwd: program.dir, project: INSTALLED_PROJECT, providerText, faultRate });
    rows.push(row);
    log(
      `  refresh ${mode}${faultRate ? ` with ${faultRate * 100}% list faults` : ""} N=${n}+${n}: ${row.calls} read calls in ${row.wallS.toFixed(2)} s, ` +
        `rate-limited ${row.rateLimited}, wrong ${row.wrong}, dropped ${row.droppedAsGone}${row.hostPeakRssMb ? `, host RSS ${row.hostPeakRssMb.toFixed(0)} MB` : ""}`,
    );
  };
  for (const n of REFRESH_NS) await run(n, "ours");
  await run(REFRESH_NS[0], "per-resource");
  await run(REFRESH_NS[0], "terraform");
  await run(Math.max(...REFRESH_NS), "ours", REFRESH_FAULT_RATE);
  return rows;
}

/** Host-cost baselines: what the host costs before and without our code, for the same burst. */
async function baselines(results: BenchResults, program: InstalledProgram): Promise<void> {
  const idle = await idleHostCost(program.dir, INSTALLED_PROJECT);
  results.idleHost = { peakRssMb: idle.peakRssMb, cpuS: idle.cpuS, startMs: idle.startMs };
  log(`idle dynamic-provider host: ${idle.peakRssMb.toFixed(0)} MB peak RSS, started in ${Math.round(idle.startMs)} ms`);
  const n = Math.max(...FLEET_NS);
  // Resource i's Create returns when the fleet's would: its write slot (i/20 s) plus T (scaled).
  const fleetSchedule = (i: number) => (i / 20 + FLEET_T * FLEET_SCALE) * 1000;
  const rows: NonNullable<BenchResults["baselines"]> = [];
  const variants: Array<[string, pulumi.dynamic.ResourceProvider, ((i: number) => number) | undefined]> = [
    [`do-nothing provider: ${n} Check + Create answered at once`, trivialProvider, undefined],
    [`do-nothing provider: ${n} Creates each held open on the fleet's schedule (i/20 s + T), as long as the real run`, holdingProvider, fleetSchedule],
    [`the same, after loading our implementation in the host (zod, undici, drivers; never called)`, loadedHoldingProvider, fleetSchedule],
  ];
  for (const [label, provider, hold] of variants) {
    const cost = await trivialHostCost(program.dir, INSTALLED_PROJECT, await serializeProvider(provider), n, hold);
    rows.push({ label, n, peakRssMb: cost.peakRssMb, cpuS: cost.cpuS });
    log(`host baseline, ${label}: ${cost.peakRssMb.toFixed(0)} MB peak RSS`);
  }
  results.baselines = rows;
}

/**
 * Diagnosis, never production: the Tencent N = 300 run again in hosts started with V8 flags, each
 * taking away one item of the host's memory, so the report can say what the peak is made of:
 * `--liftoff-only` keeps V8 from recompiling undici's WebAssembly HTTP parser (llhttp) with its
 * optimizing compiler mid-run; `--max-semi-space-size=8` caps the young generation, which V8
 * otherwise grows to 2 x 32 MB in this host.
 */
async function hostDiagnoses(program: InstalledProgram, providerText: string, emulator: Emulator): Promise<HostDiagnosis[]> {
  const n = Math.max(...FLEET_NS);
  const variants: Array<Omit<HostDiagnosis, "row">> = [
    { flags: ["--liftoff-only"], removes: "no optimizing recompile of undici's WebAssembly parser" },
    { flags: ["--max-semi-space-size=8"], removes: "young generation capped at 2 x 8 MB" },
  ];
  const out: HostDiagnosis[] = [];
  for (const [i, variant] of variants.entries()) {
    const account = tencentAccount(emulator, `d${i}${n}`, n);
    const row = await withHostNodeFlags(join(ROOT, ".bench-tmp"), variant.flags, () =>
      runFleet({ emulator, account, providerText, scale: FLEET_SCALE, transitionS: FLEET_T, cwd: program.dir, project: INSTALLED_PROJECT }),
    );
    for (const id of account.clusterIds) emulator.part("tencentcloud").removeCluster(id);
    log(`diagnosis, host with ${variant.flags.join(" ")}, tencentcloud N=${n}: host RSS ${row.host.peakRssMb.toFixed(0)} MB`);
    out.push({ ...variant, row: { ...row, mode: "steady" } });
  }
  return out;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
