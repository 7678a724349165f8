import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCommandLine } from "../src/cli/program";
import { TransitionError } from "../src/core/errors";
import { TransportError } from "../src/core/http";
import type { CloudDriver, ClusterSnapshot } from "../src/core/power";
import { transition } from "../src/core/transition";
import { checkInputs } from "../src/provider/schema";
import * as provider from "../src/provider/implementation";
import { assertBuilt, CLI } from "./cli-helpers";
import { canaryConfig, startCanaryEmulator, TENCENT, ZILLIZ, type Emulator } from "./reliability/fixtures";

/**
 * Bugs the reliability suite found, each pinned by a test that fails without its fix.
 */

const FAST = { firstDelayMs: 5, factor: 2, maxDelayMs: 20, graceReads: 2, operationStatusEvery: 3, maxWrites: 3 };

function fakeDriver(write: CloudDriver["write"]): CloudDriver {
  const snapshot: ClusterSnapshot = { clusterId: "c-1", power: "running", rawStatus: "RUNNING" };
  return { cloud: "zillizcloud", scope: "fake", describe: async () => snapshot, write, isStateConflict: () => false };
}

describe("transition deadline while a write is unanswered", () => {
  it("says the call was sent and may still take effect, instead of only 'last seen running'", async () => {
    // The write's answer never comes (the cloud applied it, then the connection hung).
    const driver = fakeDriver((_op, _id, _o, signal) => new Promise((_, reject) => signal!.addEventListener("abort", () => reject(new TransportError("request aborted", "aborted", true)))));
    const error = await transition(driver, "c-1", "paused", { wait: true, deadline: Date.now() + 150, policy: FAST }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransitionError);
    expect((error as TransitionError).reason).toBe("deadline");
    expect((error as Error).message).toMatch(/last seen running/);
    expect((error as Error).message).toMatch(/a pause call was sent but its answer never arrived, so it may still take effect/);
  });

  it("says the same when the answer was lost and the deadline came during the re-reads", async () => {
    const driver = fakeDriver(async () => {
      throw new TransportError("network error talking to host: ECONNRESET", "network", true);
    });
    const error = await transition(driver, "c-1", "paused", { wait: true, deadline: Date.now() + 60, policy: { ...FAST, graceReads: 1000 } }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/a pause call was sent but its answer never arrived/);
  });

  it("does not claim a call is in flight when the cloud refused it outright", async () => {
    let calls = 0;
    const driver = fakeDriver(async () => {
      calls++;
      throw new TransportError("connection refused", "network", false);
    });
    const error = await transition(driver, "c-1", "paused", { wait: true, deadline: Date.now() + 2000, policy: FAST }).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect((error as Error).message).not.toMatch(/was sent/);
  });
});

describe("writes that run out while their answers are lost", () => {
  it("the error keeps the cloud's code and RequestId of the last unusable answer", async () => {
    const driver = fakeDriver(async () => {
      throw new TransportError("zillizcloud suspend failed: [500] Internal Server Error, HTTP 500, RequestId abc123; the suspend may or may not have been applied", "network", true);
    });
    const error = (await transition(driver, "c-1", "paused", { wait: true, deadline: Date.now() + 5000, policy: FAST }).catch((e: unknown) => e)) as TransitionError;
    expect(error.reason).toBe("operation-failed");
    expect(error.message).toMatch(/still running \(RUNNING\) after 3 pause calls; the last one got no usable answer: .*\[500\].*RequestId abc123/);
  });
});

describe("refresh (Read) errors", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startCanaryEmulator();
    await provider.configure({ config: { get: (key: string) => canaryConfig(emulator)[key] } });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it.each([TENCENT, ZILLIZ])("$cloud: a read cut off by timeoutSeconds names the cluster and the timeout, not 'request aborted'", async (kit) => {
    const clusterId = kit.newCluster(emulator, "running");
    emulator.faults.push({ cloud: kit.cloud, action: kit.describeAction, clusterId, fault: { kind: "hang" } });
    const props = { ...kit.inputs(clusterId), powerState: "running", wait: true, timeoutSeconds: 1, onDelete: "leave", observedState: "running", rawStatus: "x" };
    const error = (await provider.read(clusterId, props).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(clusterId);
    expect(error.message).toMatch(/within timeoutSeconds \(1 s\)/);
    expect(error.message).not.toBe("request aborted");
  });

  it.each([TENCENT, ZILLIZ])("$cloud: a cloud error on refresh names the cluster", async (kit) => {
    const clusterId = kit.newCluster(emulator, "running");
    emulator.faults.push({ cloud: kit.cloud, action: kit.describeAction, clusterId, fault: kit.internalError, times: 10 });
    const props = { ...kit.inputs(clusterId), powerState: "running", wait: true, timeoutSeconds: 30, onDelete: "leave" };
    const error = (await provider.read(clusterId, props).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(new RegExp(`^${clusterId}: ${kit.cloud} \\S+ failed: \\[${kit.internalErrorCode}\\]`));
  });
});

describe("CLI usage errors outside any command", () => {
  it.each([["stop"], ["--nope"], ["PAUSE", "--cloud", "zillizcloud"]])("%s: says what to run, not only what is wrong", (...argv) => {
    let stderr = "";
    const io = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env: {} };
    const invocation = parseCommandLine(["node", "cluster-power", ...argv], io);
    expect(invocation).toEqual({ kind: "exit", code: 2 });
    expect(stderr).toMatch(/^error: unknown (command|option) '/);
    expect(stderr).toContain('run "cluster-power --help"');
  });
});

describe("CLI help command", () => {
  it.each([[["help"]], [["help", "pause"]]])("%j prints help on stdout and exits 0", (argv) => {
    let stdout = "";
    const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true }, env: {} };
    expect(parseCommandLine(["node", "cluster-power", ...argv], io)).toEqual({ kind: "exit", code: 0 });
    expect(stdout).toMatch(/^Usage: cluster-power/);
  });

  it("a bare cluster-power still shows help as a usage error (exit 2)", () => {
    let stderr = "";
    const io = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env: {} };
    expect(parseCommandLine(["node", "cluster-power"], io)).toEqual({ kind: "exit", code: 2 });
    expect(stderr).toMatch(/Usage: cluster-power/);
  });
});

describe("Check and the driver agree on endpoints", () => {
  it("a Tencent endpoint with a path fails Check (preview), not only the create", () => {
    const { failures } = checkInputs({ cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75", region: "ap-guangzhou", endpoint: "https://cynosdb.tencentcloudapi.com/some/path" });
    expect(failures).toHaveLength(1);
    expect(failures[0].property).toBe("endpoint");
    expect(failures[0].reason).toMatch(/^endpoint .*has a path or query; give only the scheme, host and port/);
  });

  it("a Zilliz endpoint with a path is still accepted (its driver keeps path prefixes)", () => {
    const { failures } = checkInputs({ cloud: "zillizcloud", clusterId: "in01-3a8c1f5e2b7d9a4", endpoint: "https://proxy.example.com/zilliz/v2" });
    expect(failures).toEqual([]);
  });
});

describe("CLI output into a closed pipe (cluster-power ... | head)", () => {
  it("stops quietly instead of crashing with an unhandled EPIPE", async () => {
    assertBuilt();
    const child = spawn(process.execPath, [CLI, "help", "pause"], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.destroy();
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
    expect(code).toBe(0);
  });
});
