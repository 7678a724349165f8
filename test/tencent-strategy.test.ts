import { Agent } from "node:http";
import { createRequire } from "node:module";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTencentDriver } from "../src/clouds/tencent";
import { DEFAULT_STRATEGY } from "../src/clouds/tencent/emulator";
import { autoPauseFromFlags, describeStrategy, strategyChange, strategyValues } from "../src/clouds/tencent/strategy";
import { tencentSeedSchema } from "../src/clouds/tencent/seed";
import { signTc3 } from "../src/clouds/tencent/signer";
import { ConfigurationError } from "../src/core/errors";
import { httpRequest } from "../src/core/http";
import { SlidingWindowLimiter } from "../src/core/rate-limit";
import { reconcileSettings } from "../src/core/settings";
import { startEmulator, type Emulator } from "../src/emulator/server";

/** The auto-pause policy actions: the emulator against the official SDK and the documented rules, then our driver. */

const require = createRequire(import.meta.url);
const { cynosdb } = require("tencentcloud-sdk-nodejs-cynosdb");

const KEY = { secretId: "AKIDstrategy0000000000000000000000001", secretKey: "strategy-secret-key" };
const OTHER = { secretId: "AKIDstrategy0000000000000000000000002", secretKey: "strategy-secret-key-2" };
const A = "cynosdbmysql-strat001";
const B = "cynosdbmysql-strat002";
const NORMAL = "cynosdbmysql-normal02";
const ISOLATED = "cynosdbmysql-isolat01";

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({
    seeds: {
      tencentcloud: {
        keys: [KEY, OTHER],
        clusters: [
          { clusterId: A, region: "ap-guangzhou" },
          { clusterId: B, region: "ap-guangzhou", serverlessStatus: "pause", strategy: { AutoPause: "no", AutoPauseDelay: 3600, MinCpu: 1, MaxCpu: 8 } },
          { clusterId: NORMAL, region: "ap-guangzhou", dbMode: "NORMAL" },
          { clusterId: ISOLATED, region: "ap-guangzhou", status: "isolated" },
        ],
      },
    },
  });
});
afterAll(() => emu.stop());
beforeEach(() => emu.faults.clear());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sdkClient(creds = KEY) {
  return new cynosdb.v20190107.Client({
    credential: creds,
    region: "ap-guangzhou",
    profile: { httpProfile: { endpoint: `127.0.0.1:${emu.port}`, protocol: "http://", agent: new Agent(), reqTimeout: 10 } },
  });
}

async function raw(action: string, params: object, creds = KEY): Promise<Record<string, any>> {
  const body = JSON.stringify(params);
  const timestamp = Math.floor(Date.now() / 1000);
  const url = new URL(emu.url);
  const { authorization } = signTc3({ ...creds, service: "cynosdb", timestamp, method: "POST", headers: { "content-type": "application/json", host: url.host }, payload: body });
  const headers = {
    "Content-Type": "application/json",
    "X-TC-Action": action,
    "X-TC-Version": "2019-01-07",
    "X-TC-Timestamp": String(timestamp),
    "X-TC-Region": "ap-guangzhou",
    Authorization: authorization,
  };
  const res = await httpRequest({ method: "POST", url, headers, body, timeoutMs: 5000 });
  expect(res.status).toBe(200);
  return JSON.parse(res.text).Response as Record<string, any>;
}

describe("emulator: DescribeServerlessStrategy / ModifyServerlessStrategy", () => {
  it("the official SDK client reads and changes the policy", async () => {
    const client = sdkClient();
    const before = await client.DescribeServerlessStrategy({ ClusterId: A });
    expect(before).toMatchObject({ AutoPause: "yes", AutoPauseDelay: 600, AutoScaleUp: "yes", AutoScaleDown: "yes", AutoArchive: "yes" });
    expect(before.RequestId).toEqual(expect.any(String));
    const changed = await client.ModifyServerlessStrategy({ ClusterId: A, AutoPause: "no", AutoPauseDelay: 7200 });
    expect(changed.TaskId).toEqual(expect.any(Number));
    expect(await client.DescribeServerlessStrategy({ ClusterId: A })).toMatchObject({ AutoPause: "no", AutoPauseDelay: 7200 });
    // Fields not sent keep their values (CPU bounds included).
    expect(emu.part("tencentcloud").getStrategy(A)).toMatchObject({ MinCpu: DEFAULT_STRATEGY.MinCpu, MaxCpu: DEFAULT_STRATEGY.MaxCpu });
    await client.ModifyServerlessStrategy({ ClusterId: A, AutoPause: "yes" });
    expect(await client.DescribeServerlessStrategy({ ClusterId: A })).toMatchObject({ AutoPause: "yes", AutoPauseDelay: 7200 });
    emu.part("tencentcloud").setStrategy(A, { ...DEFAULT_STRATEGY });
  });

  it("serves seeded policies, and answers a paused serverless cluster too", async () => {
    expect(await raw("DescribeServerlessStrategy", { ClusterId: B })).toMatchObject({ AutoPause: "no", AutoPauseDelay: 3600 });
    expect(emu.part("tencentcloud").getStrategy(B)).toMatchObject({ MinCpu: 1, MaxCpu: 8 });
    // A cluster whose policy is off never pauses by itself, so the test control refuses to fake it.
    expect(() => emu.part("tencentcloud").autoPause(B)).toThrow(/never pauses itself/);
  });

  it("validates as documented: the delay range, yes/no, known fields, serverless and running clusters only", async () => {
    await sleep(1100);
    const code = async (params: object, action = "ModifyServerlessStrategy") => (await raw(action, params)).Error?.Code;
    expect(await code({ ClusterId: A, AutoPauseDelay: 599 })).toBe("InvalidParameterValue.ParamError");
    expect(await code({ ClusterId: A, AutoPauseDelay: 691201 })).toBe("InvalidParameterValue.ParamError");
    expect(await code({ ClusterId: A, AutoPauseDelay: 600.5 })).toBe("InvalidParameterValue.ParamError");
    expect(await code({ ClusterId: A, AutoPause: "true" })).toBe("InvalidParameterValue.ParamError");
    expect(await code({ ClusterId: A, AutoPause: true })).toBe("InvalidParameterValue.ParamError");
    expect(await code({ ClusterId: A, UpgradeType: "later" })).toBe("InvalidParameterValue.ParamError");
    expect(await code({ ClusterId: A, ForcePause: 1 })).toBe("UnknownParameter");
    expect(await code({ AutoPause: "no" })).toBe("MissingParameter");
    expect(await code({ ClusterId: "cynosdbmysql-nothere1", AutoPause: "no" })).toBe("ResourceNotFound.ClusterNotFoundError");
    expect(await code({ ClusterId: NORMAL, AutoPause: "no" })).toBe("InvalidParameterValue.DbModeNotServerlessError");
    expect(await code({ ClusterId: NORMAL }, "DescribeServerlessStrategy")).toBe("InvalidParameterValue.DbModeNotServerlessError");
    expect(await code({ ClusterId: ISOLATED, AutoPause: "no" })).toBe("OperationDenied.ClusterStatusDeniedError");
    // Refused calls changed nothing; the range's ends are accepted.
    expect(emu.part("tencentcloud").getStrategy(A)).toMatchObject({ AutoPause: "yes", AutoPauseDelay: 600 });
    expect(await code({ ClusterId: A, AutoPauseDelay: 691200 })).toBeUndefined();
    expect(await code({ ClusterId: A, AutoPauseDelay: 600 })).toBeUndefined();
    // upgradeInMaintain waits for a maintenance window that never comes here.
    expect(await code({ ClusterId: A, AutoPause: "no", UpgradeType: "upgradeInMaintain" })).toBeUndefined();
    expect(emu.part("tencentcloud").getStrategy(A).AutoPause).toBe("yes");
  });

  it("a seed file may set a cluster's policy, checked field by field", () => {
    const seed = (strategy: unknown) => tencentSeedSchema.safeParse({ clusters: [{ clusterId: A, strategy }] });
    expect(seed({ AutoPause: "no", AutoPauseDelay: 3600, MinCpu: 1, MaxCpu: 4 }).success).toBe(true);
    expect(seed({ AutoPause: "off" }).success).toBe(false);
    expect(seed({ AutoPauseDelay: 100 }).success).toBe(false);
    expect(seed({ AutoScaleUp: "no" }).success).toBe(false);
  });

  it("enforces 20 requests/s per action per SecretId on both actions", async () => {
    await sleep(1100);
    for (const action of ["DescribeServerlessStrategy", "ModifyServerlessStrategy"]) {
      const answers = await Promise.all(Array.from({ length: 21 }, () => raw(action, { ClusterId: A })));
      expect(answers.filter((r) => r.Error?.Code === "RequestLimitExceeded"), action).toHaveLength(1);
    }
    // Another SecretId has its own window.
    expect((await raw("DescribeServerlessStrategy", { ClusterId: A }, OTHER)).Error).toBeUndefined();
  });
});

describe("pure mapping between inputs and the API", () => {
  it("sends only the managed fields, in the API's words", () => {
    expect(strategyChange({ autoPause: false })).toEqual({ AutoPause: "no" });
    expect(strategyChange({ autoPause: true, autoPauseDelaySeconds: 900 })).toEqual({ AutoPause: "yes", AutoPauseDelay: 900 });
    expect(strategyChange({ autoPauseDelaySeconds: 691200 })).toEqual({ AutoPauseDelay: 691200 });
    expect(() => strategyChange({ minCpu: 1 })).toThrow(/not a managed/);
    expect(() => strategyChange({ autoPauseDelaySeconds: 599 })).toThrow();
  });

  it("reads the answer into input terms and words", () => {
    expect(strategyValues({ AutoPause: "yes", AutoPauseDelay: 600 })).toEqual({ autoPause: true, autoPauseDelaySeconds: 600 });
    expect(strategyValues({ AutoPause: "no", AutoPauseDelay: null })).toEqual({ autoPause: false });
    expect(describeStrategy({ autoPause: true, autoPauseDelaySeconds: 600 })).toBe("on, after 600 s");
    expect(describeStrategy({ autoPause: false, autoPauseDelaySeconds: 900 })).toBe("off (delay 900 s)");
  });

  it("turns CLI flags into settings, refusing contradictions and out-of-range delays", () => {
    expect(autoPauseFromFlags({ enable: true, delay: "900" })).toEqual({ autoPause: true, autoPauseDelaySeconds: 900 });
    expect(autoPauseFromFlags({ disable: true })).toEqual({ autoPause: false });
    for (const flags of [{}, { enable: true, disable: true }, { enable: true, delay: "599" }, { enable: true, delay: "10m" }, { disable: true, delay: "691201" }]) {
      expect(() => autoPauseFromFlags(flags), JSON.stringify(flags)).toThrow(ConfigurationError);
    }
    expect(() => autoPauseFromFlags({ enable: true, delay: "599" })).toThrow(/--delay: must be at least 600/);
  });
});

describe("the driver", () => {
  function driver() {
    return createTencentDriver({
      region: "ap-guangzhou",
      endpoint: emu.url,
      credentials: OTHER,
      env: {},
      limiter: new SlidingWindowLimiter({ limit: 20, windowMs: 1000, marginMs: 50 }),
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
  }

  it("reconciles with one read, and one write of the differing fields only", async () => {
    emu.log.clear();
    const d = driver();
    const same = await reconcileSettings(d, B, { autoPause: false, autoPauseDelaySeconds: 3600 });
    expect(same.receipt).toBeUndefined();
    expect(emu.log.count({ action: "ModifyServerlessStrategy" })).toBe(0);
    const changed = await reconcileSettings(d, B, { autoPause: true, autoPauseDelaySeconds: 3600 });
    expect(changed.changes).toEqual({ autoPause: true });
    expect(changed.values).toEqual({ autoPause: true, autoPauseDelaySeconds: 3600 });
    expect(changed.receipt?.taskId).toEqual(expect.any(Number));
    const writes = emu.log.find({ action: "ModifyServerlessStrategy" });
    expect(writes.map((w) => JSON.parse(w.body))).toEqual([{ ClusterId: B, AutoPause: "yes" }]);
    expect(emu.part("tencentcloud").getStrategy(B)).toMatchObject({ AutoPause: "yes", AutoPauseDelay: 3600, MinCpu: 1, MaxCpu: 8 });
    expect(emu.log.count({ action: "DescribeServerlessStrategy" })).toBe(2);
    emu.part("tencentcloud").setStrategy(B, { AutoPause: "no" });
  });

  it("a missing cluster is ClusterNotFoundError; a provisioned one keeps the cloud's code", async () => {
    await expect(driver().readSettings("cynosdbmysql-nothere1")).rejects.toMatchObject({ name: "ClusterNotFoundError" });
    await expect(driver().readSettings(NORMAL)).rejects.toMatchObject({ code: "InvalidParameterValue.DbModeNotServerlessError" });
  });
});
