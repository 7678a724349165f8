import { describe, expect, it } from "vitest";
import { resolvePowerArgs, parseSeconds, parsePort, parseMilliseconds, UsageError, type RawPowerOptions } from "../src/cli/args";
import { formatElapsed, liveLine, resultText, summaryTable } from "../src/cli/format";
import { EXIT, exitCodeFor, failureOutcome, jsonReport, statusOutcome, transitionOutcome, type ClusterOutcome } from "../src/cli/outcome";
import { parseCommandLine } from "../src/cli/program";
import { progressView } from "../src/cli/progress";
import { CloudApiError, ConfigurationError, TransitionError } from "../src/core/errors";
import type { ClusterSnapshot } from "../src/core/power";

const TC_ENV = { TENCENTCLOUD_SECRET_ID: "AKIDx", TENCENTCLOUD_SECRET_KEY: "keyx" };
const ZC_ENV = { ZILLIZCLOUD_API_KEY: "zkey" };

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("expected a UsageError");
}

describe("resolvePowerArgs", () => {
  const tc: RawPowerOptions = { cloud: "tencentcloud", clusterId: ["cynosdbmysql-aaaaaaaa"], region: "ap-guangzhou" };

  it("fills the documented defaults, the resource's own: no force, wait, 1800 s", () => {
    const args = resolvePowerArgs("pause", tc, TC_ENV);
    expect(args).toMatchObject({ cloud: "tencentcloud", clusterIds: ["cynosdbmysql-aaaaaaaa"], writeOptions: { forcePause: false }, wait: true, timeoutSeconds: 1800, json: false });
    expect(args.driver).toMatchObject({ region: "ap-guangzhou" });
    expect(resolvePowerArgs("pause", { ...tc, force: true }, TC_ENV).writeOptions).toEqual({ forcePause: true });
  });

  it("names the field and the fix for each usage mistake", () => {
    expect(usage(() => resolvePowerArgs("status", { ...tc, cloud: undefined }, TC_ENV)).field).toBe("--cloud");
    expect(usage(() => resolvePowerArgs("status", { ...tc, cloud: "aws" }, TC_ENV)).message).toContain("tencentcloud, zillizcloud");
    expect(usage(() => resolvePowerArgs("status", { ...tc, clusterId: [] }, TC_ENV)).message).toContain("--cluster-id ID");
    expect(usage(() => resolvePowerArgs("status", { ...tc, clusterId: ["a b"] }, TC_ENV)).field).toBe("--cluster-id");
    expect(usage(() => resolvePowerArgs("status", { ...tc, apiVersion: "v1" }, TC_ENV)).message).toContain("zillizcloud only");
    expect(usage(() => resolvePowerArgs("status", { ...tc, region: undefined }, TC_ENV)).message).toContain("TENCENTCLOUD_REGION");
    expect(usage(() => resolvePowerArgs("status", { cloud: "zillizcloud", clusterId: ["in01-a"], site: "intl" }, ZC_ENV)).message).toContain("global, china");
    expect(usage(() => resolvePowerArgs("status", { ...tc, site: "china" }, TC_ENV)).message).toContain("default, intl, regional");
    expect(usage(() => resolvePowerArgs("pause", { cloud: "zillizcloud", clusterId: ["in01-a"], force: true }, ZC_ENV)).field).toBe("--force");
  });

  it("refuses to send credentials over plain http to a non-loopback endpoint", () => {
    const error = (() => {
      try {
        resolvePowerArgs("status", { ...tc, endpoint: "http://example.com" }, TC_ENV);
      } catch (e) {
        return e as ConfigurationError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error?.field).toBe("--endpoint");
  });

  it("takes the Tencent region from TENCENTCLOUD_REGION when --region is absent", () => {
    const args = resolvePowerArgs("status", { ...tc, region: undefined }, { ...TC_ENV, TENCENTCLOUD_REGION: "ap-shanghai" });
    expect(args.driver).toMatchObject({ region: "ap-shanghai" });
  });

  it("runs each cluster once even when named twice", () => {
    const args = resolvePowerArgs("status", { ...tc, clusterId: ["cynosdbmysql-aaaaaa", "cynosdbmysql-bbbbbb", "cynosdbmysql-aaaaaa"] }, TC_ENV);
    expect(args.clusterIds).toEqual(["cynosdbmysql-aaaaaa", "cynosdbmysql-bbbbbb"]);
  });

  it("checks every id before any call: one bad id refuses the whole run, naming it", () => {
    const error = usage(() => resolvePowerArgs("pause", { ...tc, clusterId: ["cynosdbmysql-aaaaaa", "cynosdbmysq-typo01"] }, TC_ENV));
    expect(error.field).toBe("--cluster-id");
    expect(error.message).toContain('"cynosdbmysq-typo01" is not a TDSQL-C MySQL cluster id');
  });

  it("names the missing credential variables, per cloud", () => {
    const tcError = usage(() => resolvePowerArgs("status", tc, { TENCENTCLOUD_SECRET_ID: "AKIDx" }));
    expect(tcError.message).toContain("TENCENTCLOUD_SECRET_KEY");
    expect(tcError.message).not.toContain("TENCENTCLOUD_SECRET_ID=");
    const zcError = usage(() => resolvePowerArgs("status", { cloud: "zillizcloud", clusterId: ["in01-a"] }, {}));
    expect(zcError.message).toContain("ZILLIZCLOUD_API_KEY");
  });

  it("passes Zilliz settings through to the driver", () => {
    const args = resolvePowerArgs(
      "resume",
      { cloud: "zillizcloud", clusterId: ["in01-a"], apiVersion: "v1", region: "aws-us-west-2", endpoint: "http://127.0.0.1:9", site: "china" },
      ZC_ENV,
    );
    expect(args.driver).toMatchObject({ region: "aws-us-west-2", endpoint: "http://127.0.0.1:9", options: { apiVersion: "v1", site: "china" } });
  });
});

describe("value parsers", () => {
  it("accept good values and reject bad ones", () => {
    expect(parseSeconds("600")).toBe(600);
    expect(parseSeconds("0.5")).toBe(0.5);
    for (const bad of ["abc", "", "0", "-3", "Infinity"]) expect(() => parseSeconds(bad)).toThrow(/positive number of seconds/);
    expect(parsePort("0")).toBe(0);
    expect(parsePort("8080")).toBe(8080);
    for (const bad of ["65536", "x", "-1", "1.5"]) expect(() => parsePort(bad)).toThrow(/TCP port/);
    expect(parseMilliseconds("250")).toBe(250);
    expect(() => parseMilliseconds("2s")).toThrow(/milliseconds/);
  });
});

describe("parseCommandLine", () => {
  function parse(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const invocation = parseCommandLine(["node", "cluster-power", ...args], {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      env: { ...TC_ENV, ...ZC_ENV },
    });
    return { invocation, out: out.join(""), err: err.join("") };
  }

  it("parses repeatable --cluster-id and the negated switches", () => {
    const { invocation } = parse("pause", "--cloud", "tencentcloud", "--region", "ap-guangzhou", "--cluster-id", "cynosdbmysql-aaaaaa", "--cluster-id", "cynosdbmysql-bbbbbb", "--force", "--no-wait", "--timeout", "90", "--json");
    expect(invocation.kind).toBe("power");
    if (invocation.kind !== "power") return;
    expect(invocation.args).toMatchObject({ command: "pause", clusterIds: ["cynosdbmysql-aaaaaa", "cynosdbmysql-bbbbbb"], writeOptions: { forcePause: true }, wait: false, timeoutSeconds: 90, json: true });
  });

  it("gives --help exit 0 on stdout, and usage errors exit 2 with a hint on stderr", () => {
    const help = parse("resume", "--help");
    expect(help.invocation).toEqual({ kind: "exit", code: EXIT.ok });
    expect(help.out).toContain("--timeout <seconds>");
    expect(help.out).not.toContain("--force");

    for (const argv of [
      ["status", "--cloud", "tencentcloud", "--cluster-id", "x", "--frobnicate"],
      ["pause", "--cloud", "tencentcloud", "--cluster-id", "x", "--region", "r", "--timeout", "abc"],
      ["status", "--cloud", "aws", "--cluster-id", "x"],
      ["status", "--cloud", "tencentcloud", "--region", "ap-guangzhou"],
      ["nonsense"],
      [],
    ]) {
      const { invocation, err } = parse(...argv);
      expect(invocation, argv.join(" ")).toEqual({ kind: "exit", code: EXIT.usage });
      expect(err, argv.join(" ")).toMatch(/error|Usage/);
    }
    expect(parse("pause", "--cloud", "tencentcloud", "--cluster-id", "x", "--region", "r", "--timeout", "abc").err).toContain("--timeout");
    expect(parse("status", "--cloud", "tencentcloud", "--region", "ap-guangzhou").err).toContain('run "cluster-power status --help"');
  });

  it("parses the emulator command", () => {
    const { invocation } = parse("emulator", "--port", "0", "--transition-ms", "200", "--seed", "x.json");
    expect(invocation).toEqual({ kind: "emulator", args: { port: 0, transitionMs: 200, seedFile: "x.json" } });
    expect(parse("emulator", "--port", "99999").invocation).toEqual({ kind: "exit", code: EXIT.usage });
  });
});

const snap = (power: ClusterSnapshot["power"], rawStatus: string, requestId = "req-read"): ClusterSnapshot => ({ clusterId: "c1", power, rawStatus, requestId });

describe("outcomes, JSON and exit codes", () => {
  it("keeps the receipt of an interrupted wait and says it may still complete", () => {
    const error = new TransitionError("c1: aborted", "aborted", {
      receipt: { operation: "pause", requestId: "req-w", flowId: 42 },
      lastSnapshot: snap("pausing", "SERVERLESS running/pausing"),
    });
    const outcome = failureOutcome("tencentcloud", "c1", error, 1000, "pause");
    expect(outcome).toMatchObject({ observedState: "pausing", flowId: 42, requestId: "req-w", operation: "pause", error: { code: "Interrupted", kind: "interrupted" } });
    expect(outcome.error?.message).toContain("was accepted and may still complete");
    expect(outcome.error?.message).not.toMatch(/\bpaused\b/);
    expect(exitCodeFor([outcome])).toBe(EXIT.interrupted);

    const beforeWrite = failureOutcome("tencentcloud", "c1", new TransitionError("c1: aborted", "aborted", {}), 10, "pause");
    expect(beforeWrite.error?.message).toContain("before a pause call was confirmed");
  });

  it("surfaces the cloud's code and RequestId through a transition error", () => {
    const cause = new CloudApiError({ cloud: "zillizcloud", code: "80020", message: "cluster not exist", action: "describe", requestId: "rid-9" });
    const outcome = failureOutcome("zillizcloud", "in01-x", new TransitionError("in01-x: ...", "cloud-error", { cause }), 5, "resume");
    expect(outcome).toMatchObject({ prompt: null, requestId: "rid-9", error: { code: "80020", kind: "cloud" } });
    expect(outcome.observedState).toBeNull();

    // A read that worked before the failing request does not hide the failing request's id.
    const later = failureOutcome("zillizcloud", "in01-x", new TransitionError("in01-x: ...", "cloud-error", { cause, lastSnapshot: snap("pausing", "STOPPING") }), 5, "pause");
    expect(later).toMatchObject({ requestId: "rid-9", observedState: "pausing" });
  });

  it("names our own failure reasons", () => {
    const deadline = failureOutcome("tencentcloud", "c1", new TransitionError("c1: did not reach", "deadline", { lastSnapshot: snap("pausing", "p") }), 5, "pause");
    expect(deadline.error).toMatchObject({ code: "DeadlineExceeded", kind: "operation" });
    const config = failureOutcome("tencentcloud", "c1", new ConfigurationError("clusterId", "bad"), 5, "status");
    expect(config.error).toMatchObject({ code: "ConfigurationError", kind: "usage" });
  });

  it("ranks exit codes: interrupted > usage > failure > success", () => {
    const ok: ClusterOutcome = statusOutcome("tencentcloud", "a", snap("running", "r"), 1);
    const failed: ClusterOutcome = { ...ok, error: { code: "X", message: "m", kind: "cloud" } };
    const bad: ClusterOutcome = { ...ok, error: { code: "ConfigurationError", message: "m", kind: "usage" } };
    expect(exitCodeFor([ok, ok])).toBe(0);
    expect(exitCodeFor([ok, failed])).toBe(1);
    expect(exitCodeFor([failed, bad])).toBe(2);
    expect(exitCodeFor([ok], true)).toBe(130);
  });

  it("prints one document with stable keys per cloud, and error only on failure", () => {
    const tc = transitionOutcome("tencentcloud", "c1", { snapshot: snap("paused", "SERVERLESS running/pause"), receipt: { operation: "pause", requestId: "req-w", flowId: 7 }, writeCalls: 1, reachedTarget: true }, 2000);
    const zc = transitionOutcome("zillizcloud", "in01-a", { snapshot: snap("paused", "SUSPENDED"), writeCalls: 0, reachedTarget: true }, 10);
    const report = JSON.parse(JSON.stringify(jsonReport("pause", [tc, zc], 0)));
    expect(report).toMatchObject({ command: "pause", ok: true, exitCode: 0 });
    expect(report.clusters[0]).toEqual({
      cloud: "tencentcloud", clusterId: "c1", observedState: "paused", rawStatus: "SERVERLESS running/pause", flowId: 7, requestId: "req-w",
      operation: "pause", writeCalls: 1, reachedTarget: true, elapsedMs: 2000,
    });
    expect(Object.keys(report.clusters[0])).toEqual(["cloud", "clusterId", "observedState", "rawStatus", "flowId", "requestId", "operation", "writeCalls", "reachedTarget", "elapsedMs"]);
    // No call made: the RequestId is the read's, and prompt is present but null.
    expect(report.clusters[1]).toMatchObject({ cloud: "zillizcloud", prompt: null, requestId: "req-read", operation: null, writeCalls: 0 });
    expect(report.clusters[1]).not.toHaveProperty("error");

    const failed = failureOutcome("tencentcloud", "c2", new TransitionError("c2: x", "operation-failed", {}), 1, "pause");
    const doc = JSON.parse(JSON.stringify(jsonReport("pause", [failed], 1)));
    expect(doc.ok).toBe(false);
    // The cluster id prefix of engine messages is dropped: every output shows the id beside it.
    expect(doc.clusters[0].error).toEqual({ code: "OperationFailed", message: "x" });
    expect(Object.keys(doc.clusters[0])).toEqual(["cloud", "clusterId", "observedState", "rawStatus", "flowId", "requestId", "operation", "writeCalls", "reachedTarget", "elapsedMs", "error"]);
  });
});

describe("human text", () => {
  it("formats elapsed time", () => {
    expect(formatElapsed(3240)).toBe("3.2s");
    expect(formatElapsed(125_000)).toBe("2m05s");
    expect(formatElapsed(3_725_000)).toBe("1h02m05s");
  });

  it("says what happened without claiming more than is known", () => {
    const base = transitionOutcome("tencentcloud", "c1", { snapshot: snap("paused", "p"), receipt: { operation: "pause", requestId: "r1", flowId: 3 }, writeCalls: 1, reachedTarget: true }, 4200);
    expect(resultText("pause", base)).toBe("paused after 4.2s (FlowId 3, RequestId r1)");
    const noCall = transitionOutcome("tencentcloud", "c1", { snapshot: snap("paused", "p"), writeCalls: 0, reachedTarget: true }, 5);
    expect(resultText("pause", noCall)).toBe("already paused; no call made");
    const noWait = transitionOutcome("zillizcloud", "in01", { snapshot: snap("pausing", "SUSPENDING"), receipt: { operation: "pause", requestId: "r2", prompt: "ok" }, writeCalls: 1, reachedTarget: false }, 5);
    expect(resultText("pause", noWait)).toBe("pause accepted (RequestId r2); not waiting for paused");
  });

  it("aligns the summary table", () => {
    const rows = summaryTable("status", [statusOutcome("tencentcloud", "c-long-id", snap("running", "SERVERLESS running/resume"), 1), statusOutcome("tencentcloud", "c2", snap("paused", "SERVERLESS running/pause"), 1)]);
    const lines = rows.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0].indexOf("STATE")).toBe(lines[1].indexOf("running"));
    expect(lines[2].indexOf("paused")).toBe(lines[1].indexOf("running"));
  });

  it("keeps live lines within the terminal width", () => {
    const line = liveLine({ clusterId: "c1", idWidth: 2, state: "pausing", rawStatus: "x".repeat(200), elapsedMs: 0, frame: 0 }, 40);
    expect(line.length).toBeLessThanOrEqual(40);
    expect(liveLine({ clusterId: "c1", idWidth: 2, state: "paused", rawStatus: "p", elapsedMs: 0, frame: 0, succeeded: true })).toMatch(/^✔ c1/);
  });

  it("writes one plain line per state change when not on a terminal", () => {
    const lines: string[] = [];
    const view = progressView({ write: (t: string) => lines.push(t), isTTY: false }, ["c1"], () => 0);
    view.update("c1", snap("running", "r"));
    view.update("c1", snap("pausing", "p"));
    view.update("c1", snap("pausing", "p"));
    view.update("c1", snap("paused", "q"));
    view.stop();
    expect(lines).toEqual(["[  0.0s] c1: running (r)\n", "[  0.0s] c1: pausing (p)\n", "[  0.0s] c1: paused (q)\n"]);
  });

  it("on a terminal, keeps one live line per cluster ending with a mark, the elapsed time and the final state", async () => {
    let written = "";
    let clock = 0;
    const stream = { write: (t: string) => ((written += t), true), isTTY: true, columns: 100 };
    const view = progressView(stream, ["c-1", "c-22"], () => clock);
    view.update("c-1", snap("running", "SERVERLESS running/resume"));
    view.accepted("c-1", { operation: "pause", requestId: "r", flowId: 9 });
    clock = 2500;
    view.finish(transitionOutcome("tencentcloud", "c-1", { snapshot: snap("paused", "SERVERLESS running/pause"), writeCalls: 1, reachedTarget: true }, 2500));
    clock = 3000;
    view.finish(failureOutcome("tencentcloud", "c-22", new TransitionError("c-22: NORMAL", "unsupported", { lastSnapshot: snap("running", "NORMAL running") }), 3000, "pause"));
    view.stop();
    const plain = written.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
    expect(plain).toContain("✔ c-1     2.5s  paused (SERVERLESS running/pause)");
    expect(plain).toContain("✖ c-22    3.0s  running (NORMAL running)  [Unsupported]");
    expect(written).toMatch(/\x1b\[\?25h/); // the cursor is given back
  });

  it("falls back to plain lines on a terminal too short for one line per cluster", () => {
    let written = "";
    const ids = Array.from({ length: 30 }, (_, i) => `c${i}`);
    const view = progressView({ write: (t: string) => (written += t), isTTY: true, columns: 100, rows: 24 }, ids, () => 0);
    view.update("c7", snap("pausing", "p"));
    view.stop();
    expect(written).toBe("[  0.0s] c7: pausing (p)\n");
  });
});

