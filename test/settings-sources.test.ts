import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../src/cli/program";
import { runPower } from "../src/cli/power";
import { EXIT, wantsJson } from "../src/cli/outcome";
import { CLOUDS } from "../src/clouds";
import { inputFallback, UNKNOWN_FALLBACK } from "../src/core/fallback";
import { configure, driverRequest } from "../src/provider/implementation";
import { checkInputs, type CheckContext } from "../src/provider/schema";
import { assertBuilt, cleanEnv, runCli } from "./cli-helpers";

/**
 * Where settings come from (README "Where each setting comes from"): the Tencent region is the
 * `region` input, then stack config `tencentcloud:region`, then TENCENTCLOUD_REGION, for preview's
 * check() and for every operation alike; and `--json` always answers with one document.
 */

const tencent = CLOUDS.require("tencentcloud");
const zilliz = CLOUDS.require("zillizcloud");
const TC = { cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75" };

/** check()'s context as the provider builds it, from a given config (undefined: not known) and environment. */
const context = (config: Record<string, string> | undefined, env: NodeJS.ProcessEnv = {}): CheckContext => ({
  fallback: (cloud, input) => inputFallback(cloud, input, config, env),
});
const regionFailures = (inputs: Record<string, unknown>, ctx: CheckContext) => checkInputs(inputs, ctx).failures.filter((f) => f.property === "region");

describe("the region fallback (pure)", () => {
  it("input, then <cloud>:region config, then the environment; blank counts as unset", () => {
    expect(inputFallback(tencent, "region", { region: "ap-shanghai" }, { TENCENTCLOUD_REGION: "ap-beijing" })).toEqual({ value: "ap-shanghai", source: "tencentcloud:region" });
    expect(inputFallback(tencent, "region", { region: "  " }, { TENCENTCLOUD_REGION: "ap-beijing" })).toEqual({ value: "ap-beijing", source: "TENCENTCLOUD_REGION" });
    expect(inputFallback(tencent, "region", {}, {})).toBeUndefined();
    expect(inputFallback(tencent, "region", undefined, { TENCENTCLOUD_REGION: "ap-beijing" })).toBe(UNKNOWN_FALLBACK);
    // Zilliz declares no region fallback: nothing stands in for its input.
    expect(inputFallback(zilliz, "region", { region: "aws-us-west-2" }, {})).toBeUndefined();
  });
});

describe("check() (what preview shows) knows the region fallback", () => {
  it("a Tencent resource without region passes when config or the environment has one", () => {
    expect(regionFailures(TC, context({ region: "ap-guangzhou" }))).toEqual([]);
    expect(regionFailures(TC, context({}, { TENCENTCLOUD_REGION: "ap-guangzhou" }))).toEqual([]);
    // The fallback is used, not written into the inputs (so it never becomes a replacement).
    expect(checkInputs(TC, context({ region: "ap-guangzhou" })).inputs.region).toBeUndefined();
  });

  it("without any, the failure names all three places", () => {
    const [failure] = regionFailures(TC, context({}, {}));
    expect(failure.reason).toMatch(/^region is required for tencentcloud/);
    expect(failure.reason).toContain("pulumi config set tencentcloud:region");
    expect(failure.reason).toContain("TENCENTCLOUD_REGION");
    // The same without any context (a caller that knows no config).
    expect(regionFailures(TC, {})).toHaveLength(1);
  });

  it("a wrong region from config or the environment is caught in preview, naming where it came from", () => {
    const [fromConfig] = regionFailures(TC, context({ region: "Guangzhou" }));
    expect(fromConfig.reason).toMatch(/^region is not set, and the one from tencentcloud:region is wrong: "Guangzhou" is not a Tencent Cloud region/);
    const [fromEnv] = regionFailures(TC, context({}, { TENCENTCLOUD_REGION: "aws-us-west-2x" }));
    expect(fromEnv.reason).toContain("the one from TENCENTCLOUD_REGION is wrong");
  });

  it("config not known yet (the engine skipped Configure in preview): no verdict until up", () => {
    expect(regionFailures(TC, context(undefined))).toEqual([]);
  });

  it("the input wins, and is checked as before", () => {
    expect(regionFailures({ ...TC, region: "ap-shanghai" }, context({ region: "nonsense" }))).toEqual([]);
    expect(regionFailures({ ...TC, region: "Shanghai" }, context({ region: "ap-guangzhou" }))[0].reason).toContain('"Shanghai" is not a Tencent Cloud region');
  });
});

describe("the provider's operations use the same order", () => {
  const config = (values: Record<string, string>) => ({ config: { get: (key: string) => values[key] } });
  const inputs = (extra: Record<string, unknown> = {}) => ({ ...TC, powerState: "paused", wait: true, timeoutSeconds: 60, onDelete: "leave", ...extra }) as Parameters<typeof driverRequest>[1];

  it("input, then tencentcloud:region, then TENCENTCLOUD_REGION", async () => {
    const saved = process.env.TENCENTCLOUD_REGION;
    try {
      process.env.TENCENTCLOUD_REGION = "ap-beijing";
      await configure(config({ "tencentcloud:region": "ap-shanghai" }));
      expect(driverRequest(tencent, inputs({ region: "ap-guangzhou" })).region).toBe("ap-guangzhou");
      expect(driverRequest(tencent, inputs()).region).toBe("ap-shanghai");
      await configure(config({}));
      expect(driverRequest(tencent, inputs()).region).toBe("ap-beijing");
      delete process.env.TENCENTCLOUD_REGION;
      expect(() => driverRequest(tencent, inputs())).toThrow(/region: is required for tencentcloud.*tencentcloud:region.*TENCENTCLOUD_REGION/);
    } finally {
      if (saved === undefined) delete process.env.TENCENTCLOUD_REGION;
      else process.env.TENCENTCLOUD_REGION = saved;
    }
  });
});

describe("--json always writes one JSON document to stdout", () => {
  const TC_ENV = { TENCENTCLOUD_SECRET_ID: "AKIDxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", TENCENTCLOUD_SECRET_KEY: "secret-key-xxxxxxxxxxxxxxxx" };
  function parse(env: NodeJS.ProcessEnv, ...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const invocation = parseCommandLine(["node", "cluster-power", ...args], { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, env });
    return { invocation, out: out.join(""), err: err.join("") };
  }
  const status = ["status", "--cloud", "tencentcloud", "--cluster-id", "cynosdbmysql-8vcxoq75", "--region", "ap-guangzhou"];

  it.each([
    ["a missing credential", {}, [...status, "--json"], /TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY: not set/],
    ["an unknown flag", TC_ENV, [...status, "--json", "--nope"], /^unknown option '--nope'/],
    ["a bad value", TC_ENV, ["pause", ...status.slice(1), "--timeout", "abc", "--json"], /argument 'abc' is invalid/],
    ["a missing --cluster-id", TC_ENV, ["status", "--cloud", "tencentcloud", "--json"], /--cluster-id: missing/],
    ["a flag of another cloud", TC_ENV, [...status, "--api-version", "v1", "--json"], /--api-version: applies to zillizcloud only/],
  ])("%s: exit 2, {ok:false, exitCode:2, error:{code:ConfigurationError, message}}, the message on stderr too", (_case, env, args, message) => {
    const { invocation, out, err } = parse(env, ...(args as string[]));
    expect(invocation).toEqual({ kind: "exit", code: EXIT.usage });
    const document = JSON.parse(out);
    expect(Object.keys(document)).toEqual(["ok", "exitCode", "error"]);
    expect(document).toMatchObject({ ok: false, exitCode: 2, error: { code: "ConfigurationError" } });
    expect(document.error.message).toMatch(message);
    expect(err).toContain("error:");
  });

  it("without --json, nothing goes to stdout on a usage error; --help still prints help", () => {
    expect(parse({}, ...status).out).toBe("");
    expect(parse(TC_ENV, "status", "--help", "--json").out).toContain("Usage: cluster-power status");
  });

  it("a setting the driver refuses before any call (runPower): one document, exit 2", async () => {
    const { invocation } = parse(TC_ENV, ...status, "--json", "--endpoint", "https://cynosdb.example.com/v3");
    expect(invocation.kind).toBe("power");
    if (invocation.kind !== "power") return;
    const out: string[] = [];
    const code = await runPower(invocation.args, { stdout: { write: (t: string) => out.push(t) } as never, stderr: { write: () => true } as never, signal: new AbortController().signal });
    expect(code).toBe(EXIT.usage);
    expect(JSON.parse(out.join(""))).toMatchObject({ ok: false, exitCode: 2, error: { code: "ConfigurationError", message: expect.stringContaining("has a path or query") } });
  });

  it("wantsJson reads the flag before \"--\" only", () => {
    expect(wantsJson(["status", "--json"])).toBe(true);
    expect(wantsJson(["status", "--", "--json"])).toBe(false);
    expect(wantsJson(["status"])).toBe(false);
  });

  it("the built command, as the issue ran it: `--json` with a missing credential pipes into jq", async () => {
    assertBuilt();
    const run = await runCli(["status", "--cloud", "zillizcloud", "--cluster-id", "in01-3a8c1f5e2b7d9a4", "--json"], cleanEnv({}));
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: false,
      exitCode: 2,
      error: { code: "ConfigurationError", message: expect.stringMatching(/^ZILLIZCLOUD_API_KEY: not set/) },
    });
  });
});
