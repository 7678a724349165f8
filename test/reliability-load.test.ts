import { existsSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Fault } from "../src/emulator/faults";
import { satisfies } from "../src/provider/schema";
import { Recorder } from "./reliability/record";
import {
  Engine,
  findCanaries,
  KITS,
  requestLogText,
  resource,
  rssKiB,
  shim,
  sleep,
  startCanaryEmulator,
  startCanaryHost,
  type CloudKit,
  type Emulator,
  type RunningHost,
} from "./reliability/fixtures";

/**
 * Load: 500 resources (250 per cloud) through one provider host, rounds of `up` that each flip 50
 * clusters per cloud, with 5% of the resources given a random fault on their pause/resume call.
 * Every resource must converge or fail clearly (an error that names the cluster and the cloud's
 * code or our reason; never "no error" with the cluster elsewhere), and the host's memory must not
 * grow from round to round.
 *
 * Memory, and the tolerance: RSS (/proc/<pid>/status) is the figure users see. Left alone, V8
 * grows the young generation from 1 MiB to two 64 MiB semi-spaces once it sees a high allocation
 * rate: a one-time step of up to 128 MiB of RSS whose timing depends on the machine (we saw it
 * land in the first, the second or the fourth round), while the live heap stays at ~48 MiB. The
 * host under test therefore runs with --max-semi-space-size=8 (young generation at most 16 MiB),
 * which makes RSS measure what the process holds; one warm-up round, then three measured rounds:
 * - RSS may move by at most 10% of the first measured round (about 20 MiB) from the first to the
 *   third measured round: allocator and page noise, not work-proportional growth;
 * - the live heap after a full GC (the host runs with --expose-gc; a probe provider text asks it
 *   for process.memoryUsage()) may grow by at most 8 MiB over the three rounds: with ~300
 *   operations in between, a leak of 30 KiB per operation (a kept response, a listener, a timer
 *   closure) would break it;
 * - the live handles (timers, sockets) after the rounds must not grow.
 */

const recorder = new Recorder("load", "Load (500 resources through one host, 5% random faults, a warm-up and three measured rounds)");
const PER_CLOUD = 250;
const FLIP = 50;
const FAULT_RATE = 0.05;
/** Round 0 warms the host up; the next three are measured. */
const WARMUP = 1;
const MEASURED = Number(process.env.CLUSTER_POWER_LOAD_ROUNDS ?? 3);
const RSS_TOLERANCE = 0.1;
const HEAP_TOLERANCE_BYTES = 8 * 1024 * 1024;
const TRANSITION_MS = 300;

/** Faults a busy day might bring; each either clears on its own or fails its operation clearly. */
function randomFault(kit: CloudKit, random: () => number): { name: string; fault: Fault; times: number; when?: "after" } {
  const all = [
    { name: "rate-limited", fault: kit.rateLimited, times: 2 },
    { name: "internal error", fault: kit.internalError, times: 1 },
    { name: "internal error (persistent)", fault: kit.internalError, times: 20 },
    { name: "HTTP 502 HTML", fault: { kind: "http", status: 502 } as Fault, times: 1 },
    { name: "HTTP 503 HTML", fault: { kind: "http", status: 503 } as Fault, times: 1 },
    { name: "reset", fault: { kind: "reset" } as Fault, times: 1 },
    { name: "reset after applying", fault: { kind: "reset" } as Fault, times: 1, when: "after" as const },
    { name: "malformed JSON", fault: { kind: "malformed" } as Fault, times: 1 },
    { name: "malformed JSON after applying", fault: { kind: "malformed" } as Fault, times: 1, when: "after" as const },
    { name: "failed in the cloud", fault: { kind: "flow-failed" } as Fault, times: 1 },
  ];
  return all[Math.floor(random() * all.length)];
}

/** A small seeded generator, so a failing round can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A provider text for the same host that only reports memory: Check runs a full GC (the host is
 * started with --expose-gc) and returns process.memoryUsage() and the live handles by type. RSS
 * alone says little about another process (V8 grows and returns memory lazily); the heap after a
 * full GC is what a leak would make grow.
 */
const PROBE = `exports.handler = () => ({
  check: async () => {
    if (typeof globalThis.gc === "function") { globalThis.gc(); globalThis.gc(); }
    const m = process.memoryUsage();
    const resources = {};
    for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] || 0) + 1;
    return { inputs: { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, resources } };
  },
});
`;

interface Probe {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  resources: Record<string, number>;
}

async function probe(host: RunningHost): Promise<Probe> {
  const reply = await host.host.check("urn:pulumi:reliability::harness::probe::memory", {}, { __provider: PROBE });
  return reply.inputs as unknown as Probe;
}

interface Member {
  kit: CloudKit;
  clusterId: string;
  index: number;
  res: ReturnType<typeof resource>;
}

interface RoundResult {
  round: number;
  operations: number;
  faulted: number;
  converged: number;
  failedClearly: number;
  silent: string[];
  unclear: string[];
  rssKiB: number;
  afterGc: Probe;
  wallMs: number;
  faultsByName: Record<string, number>;
}

let emulator: Emulator;
let running: RunningHost;
const roundLabel = (round: number) => (round < WARMUP ? (WARMUP === 1 ? "warm-up round" : `warm-up round ${round + 1}`) : `round ${round - WARMUP + 1}`);
const members: Member[] = [];
const rounds: RoundResult[] = [];
const texts: Record<string, string> = {};
const SEED = Number(process.env.CLUSTER_POWER_FUZZ_SEED ?? 20261123);

/** Which clusters are paused in a round: even rounds pause a window of FLIP per cloud (a different one each time), odd rounds resume them. */
const pausedIn = (round: number, index: number) => round % 2 === 0 && index >= ((round / 2) % 3) * FLIP && index < ((round / 2) % 3) * FLIP + FLIP;

beforeAll(async () => {
  emulator = await startCanaryEmulator({ transitionMs: TRANSITION_MS });
  // --expose-gc for the probe; a capped young generation so its one-time growth cannot land in a measured round.
  running = await startCanaryHost(emulator, { env: { NODE_OPTIONS: "--expose-gc --max-semi-space-size=8" } });
  const providerText = await shim();
  for (const kit of KITS) {
    for (let index = 0; index < PER_CLOUD; index++) {
      const clusterId = kit.newCluster(emulator, "running");
      members.push({ kit, clusterId, index, res: resource(`load-${clusterId}`, { ...kit.inputs(clusterId), timeoutSeconds: 120 }, providerText) });
    }
  }
  const engine = new Engine(running.host);
  const random = mulberry32(SEED);

  for (let round = 0; round < WARMUP + MEASURED; round++) {
    const started = Date.now();
    const target = (m: Member) => (pausedIn(round, m.index) ? "paused" : "running");
    const previous = (m: Member) => (round === 0 ? "running" : pausedIn(round - 1, m.index) ? "paused" : "running");
    // 5% of all resources get a fault on the call that moves them.
    const faulted = new Map<string, string>();
    const candidates = members.filter((m) => target(m) !== previous(m));
    while (faulted.size < Math.round(members.length * FAULT_RATE)) {
      const m = candidates[Math.floor(random() * candidates.length)];
      if (faulted.has(m.clusterId)) continue;
      const f = randomFault(m.kit, random);
      emulator.faults.push({ cloud: m.kit.cloud, action: m.kit.writeAction[target(m) === "paused" ? "pause" : "resume"], clusterId: m.clusterId, fault: f.fault, times: f.times, when: f.when });
      faulted.set(m.clusterId, f.name);
    }
    const writesBefore = emulator.log.count({ action: KITS.flatMap((k) => k.writeActions) });
    const steps = await engine.up(members.map((m) => ({ ...m.res, inputs: { ...m.res.inputs, powerState: target(m) } })));
    await sleep(TRANSITION_MS + 200);
    for (const m of members) for (const a of [...m.kit.writeActions]) while (emulator.faults.take({ cloud: m.kit.cloud, action: a, clusterId: m.clusterId }));

    const result: RoundResult = {
      round,
      operations: steps.filter((s) => s.op !== "same").length,
      faulted: faulted.size,
      converged: 0,
      failedClearly: 0,
      silent: [],
      unclear: [],
      // /proc is Linux's; elsewhere the probe's own process.memoryUsage().rss stands in.
      rssKiB: existsSync(`/proc/${running.pid}/status`) ? rssKiB(running.pid) : Math.round((await probe(running)).rss / 1024),
      afterGc: await probe(running),
      wallMs: Date.now() - started,
      faultsByName: {},
    };
    for (const name of faulted.values()) result.faultsByName[name] = (result.faultsByName[name] ?? 0) + 1;
    for (const [i, step] of steps.entries()) {
      const m = members[i];
      const live = m.kit.live(emulator, m.clusterId);
      const entry = engine.state.get(m.res.urn);
      if (step.error) {
        const text = step.error.details;
        texts[`round ${round} ${m.clusterId} error`] = text;
        // Clear: names the cluster and says what happened (cloud code, RequestId, or our reason).
        const clear = text.includes(m.clusterId) && /\[[^\]]+\]|RequestId|before the deadline|failed in the cloud|after \d+ (pause|resume) calls/.test(text);
        if (clear) result.failedClearly++;
        else result.unclear.push(`${m.clusterId}: ${text}`);
      } else {
        // No error: the cluster must be where the program wants it (or satisfy it, see allowAutoPause).
        const observed = entry?.outputs.observedState;
        const ok = satisfies(target(m), live, { cloud: m.kit.cloud, allowAutoPause: true }) && observed !== undefined && satisfies(target(m), observed, { cloud: m.kit.cloud, allowAutoPause: true });
        if (ok) result.converged++;
        else result.silent.push(`${m.clusterId}: wanted ${target(m)}, cloud ${live}, recorded ${String(observed)}${faulted.has(m.clusterId) ? ` (fault: ${faulted.get(m.clusterId)})` : ""}`);
      }
    }
    texts[`round ${round} writes`] = String(emulator.log.count({ action: KITS.flatMap((k) => k.writeActions) }) - writesBefore);
    rounds.push(result);
    if (process.env.RELIABILITY_DEBUG) console.log(JSON.stringify({ round, rss: result.rssKiB, gc: result.afterGc, wall: result.wallMs }));
  }
}, 240_000);

afterAll(async () => {
  texts["host stdout/stderr"] = running.host.logs();
  texts["emulator request log"] = requestLogText(emulator);
  const found = findCanaries(texts);
  recorder.scanned(Object.keys(texts).length, found);
  for (const r of rounds) {
    recorder.add({
      kind: "load",
      name: `${roundLabel(r.round)}: ${members.length} resources, ${r.operations} creates/updates, ${r.faulted} faults (${Object.entries(r.faultsByName).map(([k, v]) => `${v} ${k}`).join(", ")})`,
      outcome: `${r.converged} converged, ${r.failedClearly} failed clearly, ${r.silent.length} silent, ${r.unclear.length} unclear`,
      count: members.length,
    });
    const label = roundLabel(r.round);
    recorder.figure(`${label}: host RSS (MiB)`, Math.round((r.rssKiB / 1024) * 10) / 10);
    recorder.figure(`${label}: live heap after full GC (MiB)`, Math.round((r.afterGc.heapUsed / 2 ** 20) * 10) / 10);
    recorder.figure(`${label}: V8 committed heap (MiB)`, Math.round((r.afterGc.heapTotal / 2 ** 20) * 10) / 10);
    recorder.figure(`${label}: live handles`, Object.values(r.afterGc.resources).reduce((a, b) => a + b, 0));
    recorder.figure(`${label}: wall time (s)`, Math.round(r.wallMs / 100) / 10);
  }
  recorder.figure("resources", members.length);
  recorder.figure("fault rate", `${FAULT_RATE * 100}% of resources per round`);
  recorder.save();
  await running.host.stop();
  await emulator.stop();
  expect(found).toEqual([]);
  // No crash, unhandled rejection or programming error in the host under load.
  expect(texts["host stdout/stderr"]).not.toMatch(/unhandled|uncaught|TypeError|RangeError|ReferenceError/i);
});

it("every resource converges or fails clearly, in every round", () => {
  expect(rounds).toHaveLength(WARMUP + MEASURED);
  for (const r of rounds) {
    expect(r.silent, `round ${r.round}`).toEqual([]);
    expect(r.unclear, `round ${r.round}`).toEqual([]);
    expect(r.converged + r.failedClearly).toBe(members.length);
    expect(r.faulted).toBe(Math.round(members.length * FAULT_RATE));
    // Most faults clear on their own; only the persistent and in-cloud failures may fail an operation.
    expect(r.failedClearly).toBeLessThanOrEqual(r.faulted);
  }
});

it("the host's memory does not grow across the three measured rounds", () => {
  const measured = rounds.filter((r) => r.round >= WARMUP);
  const first = measured[0];
  const last = measured[measured.length - 1];
  const figures = JSON.stringify(rounds.map((r) => ({ round: r.round, rssKiB: r.rssKiB, heapAfterGc: r.afterGc.heapUsed, resources: r.afterGc.resources })));
  expect(last.rssKiB - first.rssKiB, figures).toBeLessThan(first.rssKiB * RSS_TOLERANCE);
  expect(last.afterGc.heapUsed - first.afterGc.heapUsed, figures).toBeLessThan(HEAP_TOLERANCE_BYTES);
  const handles = (r: RoundResult) => Object.values(r.afterGc.resources).reduce((a, b) => a + b, 0);
  expect(handles(last), figures).toBeLessThanOrEqual(handles(first));
});
