import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLOUDS } from "../src/clouds";
import { runPower } from "../src/cli/power";
import { parseCommandLine, type Invocation } from "../src/cli/program";
import { ConfigurationError } from "../src/core/errors";
import * as provider from "../src/provider/implementation";
import { UNKNOWN } from "../src/provider/schema";
import { assertBuilt, cleanEnv, startCli } from "./cli-helpers";
import { Recorder } from "./reliability/record";
import { CANARY, canaryConfig, findCanaries, requestLogText, shim, startCanaryEmulator, startCanaryHost, type Emulator, type RunningHost } from "./reliability/fixtures";
import { cliArgLists, generatedInputs, mutatedCliArgLists, mutatedInputs } from "./reliability/inputs";

/**
 * Bad input, by volume: generated and mutated resource inputs through Check (in-process, plus a
 * sample through the real host) and CLI argument lists through the parser (in-process, plus a
 * sample through the built binary). Nothing may crash or reject unhandled, nothing invalid may
 * reach the cloud (the emulator's request log stays empty), and every refusal names the field and
 * the fix.
 */

const recorder = new Recorder("input", "Bad input (resource inputs through Check, CLI argument lists through the parser)");
const SEED = Number(process.env.CLUSTER_POWER_FUZZ_SEED ?? 20261123);
const RUNS = { generatedInputs: 1500, mutatedInputs: 1000, hostSample: 60, generatedArgs: 1200, mutatedArgs: 600, binarySample: 40 };

/** A refusal names what is wrong... */
const NAMES_INPUT = /^[A-Za-z_$][\w$]*\b/;
/** ...and says what to do about it. */
const FIX = /(e\.g\.|must be|must not|use |one of|known inputs|remove|is required|required for|set |copy|looks like|at least|at most|only applies|only to a loopback|only the scheme)/i;
const CLI_NAMES = /(--[a-z][a-z-]*|'[a-z-]+'|\b[A-Z][A-Z_]{4,}\b|clusterId|region|endpoint|Usage:)/;
const CLI_FIX = /(e\.g\.|use |pass |set |export |drop |remove |one of|allowed choices|run "cluster-power|Usage:|must |required|copy )/i;

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let emulator: Emulator;
const texts: Record<string, string> = {};
const counts = {
  checkInputs: 0,
  checkRefused: 0,
  checkAccepted: 0,
  acceptedThenRefusedByDriver: 0,
  refusedCreateCalls: 0,
  hostChecks: 0,
  hostCreatesOfInvalid: 0,
  cliArgLists: 0,
  cliUsageErrors: 0,
  cliHelpOrVersion: 0,
  cliAccepted: 0,
  cliRunsWithInvalidIds: 0,
  binaryRuns: 0,
};
const driverRefusals = new Set<string>();

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  emulator = await startCanaryEmulator();
  await provider.configure({ config: { get: (key: string) => canaryConfig(emulator)[key] } });
});

afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  texts["emulator request log"] = requestLogText(emulator);
  const found = findCanaries(texts);
  recorder.scanned(Object.keys(texts).length, found);
  recorder.add({ kind: "input", operation: "Check (in-process)", name: "generated resource inputs", outcome: "no crash; refusals name field and fix", count: RUNS.generatedInputs });
  recorder.add({ kind: "input", operation: "Check (in-process)", name: "valid inputs with one field mutated, dropped or stray", outcome: "no crash; refusals name field and fix", count: RUNS.mutatedInputs });
  recorder.add({ kind: "input", operation: "Check + Create (real host)", name: "sample of the above, JSON as the engine sends it", outcome: "same verdicts as in-process; invalid creates refused before any call", count: counts.hostChecks });
  recorder.add({ kind: "input", operation: "CLI parser (in-process)", name: "generated argument lists", outcome: "no crash; exit 0/2 or a checked invocation", count: RUNS.generatedArgs });
  recorder.add({ kind: "input", operation: "CLI parser (in-process)", name: "valid pause with one option mutated, dropped or added", outcome: "no crash; exit 0/2 or a checked invocation", count: RUNS.mutatedArgs });
  recorder.add({ kind: "input", operation: "CLI binary (dist/cli/main.js)", name: "sample of the above", outcome: "same exit codes as in-process", count: counts.binaryRuns });
  for (const [k, v] of Object.entries(counts)) recorder.figure(k, v);
  recorder.figure("API calls caused by invalid input", emulator.log.count());
  recorder.figure("unhandled rejections", unhandled.length);
  if (driverRefusals.size) recorder.figure("accepted by Check but refused by the driver (before any call)", [...driverRefusals].join("; "));
  recorder.save();
  await emulator.stop();
  expect(found).toEqual([]);
  expect(unhandled).toEqual([]);
});

const hasUnknown = (news: Record<string, unknown>) => Object.values(news).includes(UNKNOWN);

/** Check one input set in-process; returns the failures. Throws on a broken refusal. */
async function checkOne(news: Record<string, unknown>): Promise<Array<{ property: string; reason: string }>> {
  counts.checkInputs++;
  const { inputs, failures } = await provider.check({}, news);
  for (const f of failures) {
    expect(f.property, JSON.stringify(f)).toMatch(NAMES_INPUT);
    expect(f.reason.startsWith(f.property), JSON.stringify(f)).toBe(true);
    expect(f.reason, JSON.stringify(f)).toMatch(FIX);
  }
  if (failures.length > 0) {
    counts.checkRefused++;
    // Defence in depth: even if the engine went on, Create refuses before any call. (Stray keys are
    // dropped by Create, which only reads known inputs; the engine never gets that far.)
    const knownFieldFailed = failures.some((f) => !f.reason.includes("is not an input"));
    if (knownFieldFailed && !hasUnknown(news)) {
      const calls = emulator.log.count();
      const error = (await provider.create(news).catch((e: unknown) => e)) as Error;
      expect(error, JSON.stringify(news)).toBeInstanceOf(Error);
      expect(error.message).toMatch(FIX);
      expect(emulator.log.count(), `create of invalid ${JSON.stringify(news)} reached the cloud`).toBe(calls);
      counts.refusedCreateCalls++;
    }
  } else {
    counts.checkAccepted++;
    if (!hasUnknown(inputs)) {
      // What Check accepts, the driver must accept too, or refuse with a ConfigurationError (no call).
      try {
        const cloud = CLOUDS.require(inputs.cloud);
        cloud.createDriver(provider.driverRequest(cloud, inputs as never));
      } catch (error) {
        expect(error, JSON.stringify(inputs)).toBeInstanceOf(ConfigurationError);
        expect((error as Error).message).toMatch(FIX);
        counts.acceptedThenRefusedByDriver++;
        driverRefusals.add(`${String(inputs.cloud)} ${(error as ConfigurationError).field}`);
      }
    }
  }
  texts[`check ${counts.checkInputs}`] = JSON.stringify(failures);
  return failures;
}

describe("resource inputs through Check", () => {
  it(`${RUNS.generatedInputs} generated input sets: no crash, refusals name the field and the fix, nothing reaches the cloud`, async () => {
    await fc.assert(fc.asyncProperty(generatedInputs, async (news) => void (await checkOne(news))), { numRuns: RUNS.generatedInputs, seed: SEED });
    expect(emulator.log.count()).toBe(0);
  });

  it(`${RUNS.mutatedInputs} valid input sets with one field broken`, async () => {
    const refusedBefore = counts.checkRefused;
    await fc.assert(fc.asyncProperty(mutatedInputs, async (news) => void (await checkOne(news))), { numRuns: RUNS.mutatedInputs, seed: SEED + 1 });
    expect(emulator.log.count()).toBe(0);
    // What Check (preview) accepts, the driver accepts too: no surprise at create time.
    expect([...driverRefusals]).toEqual([]);
    // Most single mutations break the input; the rest happen to be valid values.
    expect(counts.checkRefused - refusedBefore).toBeGreaterThan(RUNS.mutatedInputs / 2);
  });

  describe("a sample through the real dynamic-provider host", () => {
    let host: RunningHost;
    beforeAll(async () => {
      host = await startCanaryHost(emulator);
    });
    afterAll(async () => {
      texts["host stdout/stderr"] = host.host.logs();
      await host.host.stop();
    });

    it(`${RUNS.hostSample} inputs as the engine would send them: the host agrees with the in-process verdicts and refuses invalid creates before any call`, async () => {
      const providerText = await shim();
      const samples = [
        ...fc.sample(generatedInputs, { numRuns: RUNS.hostSample / 2, seed: SEED + 2 }),
        ...fc.sample(mutatedInputs, { numRuns: RUNS.hostSample / 2, seed: SEED + 3 }),
      ].map((news) => JSON.parse(JSON.stringify(news)) as Record<string, unknown>);
      for (const [i, news] of samples.entries()) {
        const urn = `urn:pulumi:reliability::harness::pulumi-nodejs:dynamic/cluster-power:ClusterPowerState::input-${i}`;
        const local = await provider.check({}, news);
        const remote = await host.host.check(urn, {}, { ...news, __provider: providerText });
        counts.hostChecks++;
        expect(remote.failures.map((f) => f.property).sort(), JSON.stringify(news)).toEqual(local.failures.map((f) => f.property).sort());
        texts[`host check ${i}`] = JSON.stringify(remote);
        const knownFieldFailed = local.failures.some((f) => !f.reason.includes("is not an input"));
        if (knownFieldFailed && !hasUnknown(news)) {
          const error = await host.host.create(urn, { ...news, __provider: providerText }).catch((e: Error) => e);
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).toMatch(FIX);
          texts[`host create ${i}`] = (error as Error).message;
          counts.hostCreatesOfInvalid++;
        }
      }
      expect(counts.hostCreatesOfInvalid).toBeGreaterThan(5);
      expect(emulator.log.count()).toBe(0);
    });
  });
});

// ---- CLI ----------------------------------------------------------------------------------------

function cliEnv(withCredentials: boolean): NodeJS.ProcessEnv {
  return {
    CLUSTER_POWER_TENCENTCLOUD_ENDPOINT: emulator.url,
    CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT: emulator.url,
    ...(withCredentials
      ? { TENCENTCLOUD_SECRET_ID: CANARY.tencentSecretId, TENCENTCLOUD_SECRET_KEY: CANARY.tencentSecretKey, ZILLIZCLOUD_API_KEY: CANARY.zillizApiKey }
      : {}),
  };
}

function validId(cloud: string, id: string): boolean {
  try {
    CLOUDS.require(cloud).validateClusterId(id);
    return true;
  } catch {
    return false;
  }
}

interface CliVerdict {
  argv: string[];
  withCredentials: boolean;
  code: number | "accepted" | "emulator" | "schedule" | "list" | "settings";
  stderr: string;
}

const verdicts: CliVerdict[] = [];

function expectClearUsage(stderr: string, argv: string[]): void {
  const context = `${JSON.stringify(argv)} -> ${stderr}`;
  expect(stderr.trim(), context).not.toBe("");
  expect(stderr, context).toMatch(CLI_NAMES);
  expect(stderr, context).toMatch(CLI_FIX);
}

async function parseOne(argv: string[], withCredentials: boolean): Promise<void> {
  counts.cliArgLists++;
  let stdout = "";
  let stderr = "";
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: cliEnv(withCredentials) };
  const invocation: Invocation = parseCommandLine(["node", "cluster-power", ...argv], io);
  const verdict: CliVerdict = { argv, withCredentials, code: 0, stderr };
  if (invocation.kind === "exit") {
    expect([0, 2], JSON.stringify(argv)).toContain(invocation.code);
    if (invocation.code === 2) {
      expectClearUsage(stderr, argv);
      counts.cliUsageErrors++;
    } else counts.cliHelpOrVersion++;
    verdict.code = invocation.code;
  } else if (invocation.kind !== "power") {
    // emulator, schedule, list, settings: parsed, nothing sent here.
    verdict.code = invocation.kind;
    counts.cliAccepted++;
  } else {
    const { args } = invocation;
    let driverError: unknown;
    try {
      CLOUDS.require(args.cloud).createDriver(args.driver);
    } catch (error) {
      driverError = error;
    }
    const allInvalid = args.clusterIds.every((id) => !validId(args.cloud, id));
    if (driverError || allInvalid) {
      // Refused before any call: run it for real and watch the emulator.
      const calls = emulator.log.count();
      const out = { text: "", write: (t: string) => ((out.text += t), true), isTTY: false };
      const err = { text: "", write: (t: string) => ((err.text += t), true), isTTY: false };
      const code = await runPower(args, { stdout: out as never, stderr: err as never, signal: new AbortController().signal });
      expect(code, `${JSON.stringify(argv)}: ${err.text}`).toBe(2);
      expect(emulator.log.count(), `${JSON.stringify(argv)} reached the cloud`).toBe(calls);
      if (args.json && !driverError) {
        // --json: the refusal of each cluster is in the document on stdout.
        const report = JSON.parse(out.text) as { exitCode: number; clusters: Array<{ error?: { message: string } }> };
        expect(report.exitCode).toBe(2);
        for (const cluster of report.clusters) expectClearUsage(cluster.error?.message ?? "", argv);
      } else expectClearUsage(err.text, argv);
      stdout += out.text;
      stderr += err.text;
      verdict.code = 2;
      counts.cliRunsWithInvalidIds++;
    } else {
      verdict.code = "accepted";
      counts.cliAccepted++;
    }
  }
  verdict.stderr = stderr;
  verdicts.push(verdict);
  texts[`cli ${counts.cliArgLists}`] = `${stdout}\n${stderr}`;
}

describe("CLI argument lists through the parser", () => {
  it(`${RUNS.generatedArgs} generated argument lists: no crash, exit 0/2 with a clear message, or a checked invocation`, async () => {
    let i = 0;
    await fc.assert(fc.asyncProperty(cliArgLists, async (argv) => parseOne(argv, i++ % 10 !== 0)), { numRuns: RUNS.generatedArgs, seed: SEED + 4 });
    expect(emulator.log.count()).toBe(0);
  });

  it(`${RUNS.mutatedArgs} valid pause commands with one option mutated`, async () => {
    let i = 0;
    await fc.assert(fc.asyncProperty(mutatedCliArgLists, async (argv) => parseOne(argv, i++ % 10 !== 0)), { numRuns: RUNS.mutatedArgs, seed: SEED + 5 });
    expect(emulator.log.count()).toBe(0);
    expect(counts.cliUsageErrors).toBeGreaterThan(100);
  });

  it(`a sample of ${RUNS.binarySample} through the built binary gives the same exit codes and makes no call`, async () => {
    assertBuilt();
    // Usage errors and refused invocations, plus help/version; never one that would call the cloud.
    const refused = verdicts.filter((v) => v.code === 2);
    const helps = verdicts.filter((v) => v.code === 0);
    const sample = [...refused.filter((_, i) => i % Math.max(1, Math.floor(refused.length / (RUNS.binarySample - 4))) === 0).slice(0, RUNS.binarySample - 4), ...helps.slice(0, 4)];
    for (let i = 0; i < sample.length; i += 4) {
      await Promise.all(
        sample.slice(i, i + 4).map(async (v) => {
          const run = await startCli(v.argv, cleanEnv(cliEnv(v.withCredentials) as Record<string, string>)).done;
          counts.binaryRuns++;
          texts[`binary ${counts.binaryRuns}`] = `${run.stdout}\n${run.stderr}`;
          expect(run.code, `${JSON.stringify(v.argv)}: ${run.stderr}`).toBe(v.code);
          if (v.code === 2) expectClearUsage(run.stderr, v.argv);
        }),
      );
    }
    expect(counts.binaryRuns).toBe(sample.length);
    expect(emulator.log.count()).toBe(0);
  });
});
