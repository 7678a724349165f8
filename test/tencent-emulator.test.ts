import { Agent } from "node:http";
import { createRequire } from "node:module";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { httpRequest } from "../src/core/http";
import { signTc3 } from "../src/clouds/tencent/signer";
import { startEmulator, type Emulator } from "../src/emulator/server";
import { DEMO_TENCENT_CREDENTIALS } from "../src/clouds/tencent/emulator";

const require = createRequire(import.meta.url);
const { cynosdb } = require("tencentcloud-sdk-nodejs-cynosdb");

const KEY = { secretId: "AKIDtestkey00000000000000000000000001", secretKey: "test-secret-key-one" };
const TEMP = { secretId: "AKIDtemporary0000000000000000000000002", secretKey: "temp-secret-key", token: "sts-token-abc123" };
const A = "cynosdbmysql-aaaa0001";
const B = "cynosdbmysql-bbbb0002";
const NORMAL = "cynosdbmysql-normal01";
const TRANSITION_MS = 200;

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ transitionMs: TRANSITION_MS, seeds: { tencentcloud: {
      keys: [KEY, { ...TEMP }],
      clusters: [
        { clusterId: A, region: "ap-guangzhou" },
        { clusterId: B, region: "ap-guangzhou", serverlessStatus: "pause" },
        { clusterId: NORMAL, region: "ap-guangzhou", dbMode: "NORMAL" },
      ],
    } } });
});
afterAll(() => emu.stop());
beforeEach(() => {
  emu.faults.clear();
  emu.setClockOffsetMs(0);
});

function sdkClient(creds: { secretId: string; secretKey: string; token?: string }, region = "ap-guangzhou") {
  return new cynosdb.v20190107.Client({
    credential: creds,
    region,
    // An explicit agent keeps any http_proxy in the environment out of the way.
    profile: { httpProfile: { endpoint: `127.0.0.1:${emu.port}`, protocol: "http://", agent: new Agent(), reqTimeout: 10 } },
  });
}

async function sdkError(promise: Promise<unknown>): Promise<{ code?: string; message: string; requestId?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string; requestId?: string };
  }
  throw new Error("expected the SDK call to fail");
}

interface RawOptions {
  creds?: { secretId: string; secretKey: string; token?: string };
  timestamp?: number;
  headers?: Record<string, string>;
  authorization?: string;
  region?: string;
  contentType?: string;
}

/** One hand-built request, so tests can break exactly one thing at a time. */
async function raw(action: string, params: object, o: RawOptions = {}) {
  const creds: { secretId: string; secretKey: string; token?: string } = o.creds ?? KEY;
  const body = JSON.stringify(params);
  const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
  const url = new URL(emu.url);
  const contentType = o.contentType ?? "application/json";
  const { authorization } = signTc3({
    ...creds,
    service: "cynosdb",
    timestamp,
    method: "POST",
    headers: { "content-type": contentType, host: url.host },
    payload: body,
  });
  const headers: Record<string, string> = {
    "Content-Type": contentType,
    "X-TC-Action": action,
    "X-TC-Version": "2019-01-07",
    "X-TC-Timestamp": String(timestamp),
    "X-TC-Region": o.region ?? "ap-guangzhou",
    Authorization: o.authorization ?? authorization,
    ...(creds.token ? { "X-TC-Token": creds.token } : {}),
    ...o.headers,
  };
  const res = await httpRequest({ method: "POST", url, headers, body, timeoutMs: 5000 });
  expect(res.status).toBe(200);
  return JSON.parse(res.text).Response as Record<string, any>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("fidelity: the official tencentcloud-sdk-nodejs-cynosdb client", () => {
  it("succeeds with the right key: detail, pause (ForcePause 0), flow, list", async () => {
    const client = sdkClient(KEY);
    const detail = await client.DescribeClusterDetail({ ClusterId: A });
    expect(detail.Detail).toMatchObject({ ClusterId: A, DbMode: "SERVERLESS", Status: "running", ServerlessStatus: "resume" });
    expect(detail.RequestId).toMatch(UUID);

    const paused = await client.PauseServerless({ ClusterId: A, ForcePause: 0 });
    expect(paused.FlowId).toEqual(expect.any(Number));
    expect((await client.DescribeFlow({ FlowId: paused.FlowId })).Status).toBe(2);
    expect((await client.DescribeClusterDetail({ ClusterId: A })).Detail.ServerlessStatus).toBe("pausing");

    const list = await client.DescribeClusters({ Filters: [{ Names: ["ClusterId"], Values: [A, B], ExactMatch: true }], Limit: 100 });
    expect(list.TotalCount).toBe(2);
    // Documented values of DescribeClusters are only resume | pause: a pausing cluster shows its old state.
    expect(list.ClusterSet.find((c: { ClusterId: string }) => c.ClusterId === A).ServerlessStatus).toBe("resume");

    await sleep(TRANSITION_MS + 50);
    expect((await client.DescribeFlow({ FlowId: paused.FlowId })).Status).toBe(0);
    expect((await client.DescribeClusterDetail({ ClusterId: A })).Detail.ServerlessStatus).toBe("pause");
    const resumed = await client.ResumeServerless({ ClusterId: A });
    expect(resumed.FlowId).toBeGreaterThan(paused.FlowId);
    await sleep(TRANSITION_MS + 50);
    expect(emu.part("tencentcloud").getCluster(A)?.serverlessStatus).toBe("resume");
  });

  it("succeeds with the real host name signed (strict service and host), routed to the emulator", async () => {
    // The SDK signs service "cynosdb" and host "cynosdb.tencentcloudapi.com" as in production; the
    // agent only routes the connection to the emulator.
    const agent = new Agent();
    (agent as unknown as { createConnection: () => Socket }).createConnection = () => connect(emu.port, "127.0.0.1");
    const client = new cynosdb.v20190107.Client({
      credential: KEY,
      region: "ap-guangzhou",
      profile: { httpProfile: { endpoint: "cynosdb.tencentcloudapi.com", protocol: "http://", agent, reqTimeout: 10 } },
    });
    expect((await client.DescribeClusterDetail({ ClusterId: B })).Detail.ClusterId).toBe(B);
    const entry = emu.log.find({ clusterId: B, action: "DescribeClusterDetail" }).at(-1)!;
    expect(entry.headers.host).toBe("cynosdb.tencentcloudapi.com");
    expect(entry.authorization).toContain("/cynosdb/tc3_request");
    const wrong = new cynosdb.v20190107.Client({
      credential: { ...KEY, secretKey: "wrong" },
      region: "ap-guangzhou",
      profile: { httpProfile: { endpoint: "cynosdb.tencentcloudapi.com", protocol: "http://", agent } },
    });
    expect((await sdkError(wrong.DescribeClusterDetail({ ClusterId: B }))).code).toBe("AuthFailure.SignatureFailure");
  });

  it("gets AuthFailure.SignatureFailure with a wrong key, SecretIdNotFound with an unknown id", async () => {
    const wrong = await sdkError(sdkClient({ ...KEY, secretKey: "not-the-key" }).DescribeClusterDetail({ ClusterId: A }));
    expect(wrong.code).toBe("AuthFailure.SignatureFailure");
    expect(wrong.requestId).toMatch(UUID);
    const unknown = await sdkError(sdkClient({ secretId: "AKIDnobody", secretKey: "x" }).DescribeClusterDetail({ ClusterId: A }));
    expect(unknown.code).toBe("AuthFailure.SecretIdNotFound");
  });

  it("works with temporary keys and their token through the SDK", async () => {
    const detail = await sdkClient(TEMP).DescribeClusterDetail({ ClusterId: B });
    expect(detail.Detail.ServerlessStatus).toBe("pause");
    const noToken = await sdkError(sdkClient({ secretId: TEMP.secretId, secretKey: TEMP.secretKey }).DescribeClusterDetail({ ClusterId: B }));
    expect(noToken.code).toBe("AuthFailure.TokenFailure");
  });
});

describe("TC3 verification", () => {
  it("accepts a correct request and rejects a tampered body", async () => {
    expect((await raw("DescribeClusterDetail", { ClusterId: A })).Detail.ClusterId).toBe(A);
    const body = JSON.stringify({ ClusterId: B });
    const url = new URL(emu.url);
    const ts = Math.floor(Date.now() / 1000);
    const { authorization } = signTc3({ ...KEY, service: "cynosdb", timestamp: ts, method: "POST", headers: { "content-type": "application/json", host: url.host }, payload: JSON.stringify({ ClusterId: A }) });
    const res = await httpRequest({
      method: "POST",
      url,
      headers: { "Content-Type": "application/json", "X-TC-Action": "DescribeClusterDetail", "X-TC-Version": "2019-01-07", "X-TC-Timestamp": String(ts), "X-TC-Region": "ap-guangzhou", Authorization: authorization },
      body,
      timeoutMs: 5000,
    });
    expect(JSON.parse(res.text).Response.Error.Code).toBe("AuthFailure.SignatureFailure");
  });

  it("rejects malformed Authorization, skew beyond 5 minutes, wrong version, content type and region", async () => {
    expect((await raw("DescribeClusterDetail", { ClusterId: A }, { authorization: "TC3-HMAC-SHA256 garbage" })).Error.Code).toBe("AuthFailure.InvalidAuthorization");
    const now = Math.floor(Date.now() / 1000);
    expect((await raw("DescribeClusterDetail", { ClusterId: A }, { timestamp: now - 301 })).Error.Code).toBe("AuthFailure.SignatureExpire");
    expect((await raw("DescribeClusterDetail", { ClusterId: A }, { timestamp: now - 240 })).Detail).toBeDefined();
    emu.setClockOffsetMs(6 * 60_000);
    expect((await raw("DescribeClusterDetail", { ClusterId: A })).Error.Code).toBe("AuthFailure.SignatureExpire");
    emu.setClockOffsetMs(0);
    expect((await raw("DescribeClusterDetail", { ClusterId: A }, { headers: { "X-TC-Version": "2017-03-12" } })).Error.Code).toBe("NoSuchVersion");
    expect((await raw("DescribeClusterDetail", { ClusterId: A }, { contentType: "text/plain" })).Error.Code).toBe("InvalidParameter");
    expect((await raw("DescribeClusterDetail", { ClusterId: A }, { region: "xx-nowhere" })).Error.Code).toBe("UnsupportedRegion");
    expect((await raw("DescribeClusterDetail", { ClusterId: A }, { region: "ap-shanghai" })).Error.Code).toBe("ResourceNotFound.ClusterNotFoundError");
    expect((await raw("StartCluster", {})).Error.Code).toBe("InvalidAction");
  });

  it("checks tokens of temporary keys, which can expire mid-run", async () => {
    expect((await raw("DescribeClusterDetail", { ClusterId: A }, { creds: TEMP })).Detail).toBeDefined();
    expect((await raw("DescribeClusterDetail", { ClusterId: A }, { creds: { ...TEMP, token: "stolen" } })).Error.Code).toBe("AuthFailure.TokenFailure");
    expect((await raw("DescribeClusterDetail", { ClusterId: A }, { creds: { ...KEY, token: "extra" } })).Error.Code).toBe("AuthFailure.TokenFailure");
    const expiring = { secretId: "AKIDexpiring000000000000000000000003", secretKey: "k3", token: "t3" };
    emu.part("tencentcloud").addKey({ ...expiring, expiresAt: Date.now() + 60_000 });
    expect((await raw("DescribeClusterDetail", { ClusterId: A }, { creds: expiring })).Detail).toBeDefined();
    emu.setClockOffsetMs(61_000); // the emulator's clock passes the expiry (still within signature skew)
    expect((await raw("DescribeClusterDetail", { ClusterId: A }, { creds: expiring })).Error.Code).toBe("AuthFailure.TokenFailure");
  });

  it("logs every request with the Authorization kept apart and the SecretId as caller", async () => {
    emu.log.clear();
    await raw("DescribeClusterDetail", { ClusterId: A });
    const [entry] = emu.log.find({ cloud: "tencentcloud", action: "DescribeClusterDetail" });
    expect(entry).toMatchObject({ clusterId: A, outcome: "ok", caller: KEY.secretId, httpStatus: 200 });
    expect(entry.authorization).toMatch(/^TC3-HMAC-SHA256 Credential=/);
    expect(entry.headers.authorization).toBeUndefined();
    expect(JSON.stringify(entry)).not.toContain(KEY.secretKey);
  });
});

describe("cynosdb behaviour", () => {
  it("enforces 20 requests/s per action per SecretId, and 1000/s for DescribeClusters", async () => {
    await sleep(1100);
    const codes = await Promise.all(Array.from({ length: 21 }, () => raw("DescribeFlow", { FlowId: 1 })));
    expect(codes.filter((r) => r.Error?.Code === "RequestLimitExceeded")).toHaveLength(1);
    // Another action and another SecretId have their own windows.
    expect((await raw("DescribeClusterDetail", { ClusterId: A })).Error).toBeUndefined();
    expect((await raw("DescribeFlow", { FlowId: 1 }, { creds: TEMP })).Error.Code).toBe("InvalidParameterValue.FlowNotFound");
    const lists = await Promise.all(Array.from({ length: 40 }, () => raw("DescribeClusters", { Limit: 10 })));
    expect(lists.every((r) => r.Error === undefined)).toBe(true);
  });

  it("answers pause/resume with the documented errors", async () => {
    await sleep(1100);
    expect((await raw("PauseServerless", { ClusterId: NORMAL, ForcePause: 1 })).Error.Code).toBe("InvalidParameterValue.DbModeNotServerlessError");
    expect((await raw("PauseServerless", { ClusterId: "cynosdbmysql-nope0000", ForcePause: 1 })).Error.Code).toBe("InvalidParameterValue.ClusterNotFound");
    expect((await raw("PauseServerless", { ClusterId: B, ForcePause: 1 })).Error.Code).toBe("OperationDenied.ServerlessClusterStatusDenied");
    expect((await raw("PauseServerless", { ClusterId: A, ForcePause: 2 })).Error.Code).toBe("InvalidParameterValue.ParamError");
    expect((await raw("DescribeFlow", { FlowId: 999 })).Error.Code).toBe("InvalidParameterValue.FlowNotFound");
    const flow = await raw("ResumeServerless", { ClusterId: B });
    expect((await raw("ResumeServerless", { ClusterId: B })).Error.Code).toBe("OperationDenied.ServerlessClusterStatusDenied");
    expect((await raw("PauseServerless", { ClusterId: B, ForcePause: 0 })).Error.Code).toBe("OperationDenied.ServerlessClusterStatusDenied");
    await sleep(TRANSITION_MS + 50);
    expect((await raw("DescribeFlow", { FlowId: flow.FlowId })).Status).toBe(0);
    expect((await raw("PauseServerless", { ClusterId: B, ForcePause: 1 })).FlowId).toBeGreaterThan(0);
    await sleep(TRANSITION_MS + 50);
    expect(emu.part("tencentcloud").getCluster(B)?.serverlessStatus).toBe("pause");
  });

  it("a flow-failed fault runs the flow to status 1 and returns the cluster to its old state", async () => {
    emu.faults.push({ cloud: "tencentcloud", action: "PauseServerless", clusterId: A, fault: { kind: "flow-failed" } });
    const { FlowId } = await raw("PauseServerless", { ClusterId: A, ForcePause: 0 });
    expect((await raw("DescribeClusterDetail", { ClusterId: A })).Detail.ServerlessStatus).toBe("pausing");
    expect((await raw("DescribeFlow", { FlowId })).Status).toBe(2);
    await sleep(TRANSITION_MS + 50);
    expect((await raw("DescribeFlow", { FlowId })).Status).toBe(1);
    expect((await raw("DescribeClusterDetail", { ClusterId: A })).Detail.ServerlessStatus).toBe("resume");
  });

  it("applies then loses the response for when:'after' faults, and refuses untouched for 'before'", async () => {
    emu.faults.push({ cloud: "tencentcloud", action: "PauseServerless", fault: { kind: "malformed" } });
    const url = new URL(emu.url);
    await expect(raw("PauseServerless", { ClusterId: A, ForcePause: 0 })).rejects.toThrow();
    expect(emu.part("tencentcloud").getCluster(A)?.serverlessStatus).toBe("resume");
    emu.faults.push({ cloud: "tencentcloud", action: "PauseServerless", fault: { kind: "reset" }, when: "after" });
    await expect(raw("PauseServerless", { ClusterId: A, ForcePause: 0 })).rejects.toThrow(/network error/);
    expect(emu.part("tencentcloud").getCluster(A)?.serverlessStatus).toBe("pausing");
    expect(url.host).toContain("127.0.0.1");
    await sleep(TRANSITION_MS + 50);
  });

  it("out-of-band auto-pause and auto-resume, and the list view of transitions when enabled", async () => {
    emu.part("tencentcloud").autoPause(A);
    expect((await raw("DescribeClusterDetail", { ClusterId: A })).Detail.ServerlessStatus).toBe("pause");
    emu.part("tencentcloud").autoResume(A);
    expect(emu.part("tencentcloud").getCluster(A)?.serverlessStatus).toBe("resume");

    const other = await startEmulator({ transitionMs: 1000, seeds: { tencentcloud: { keys: [KEY], clusters: [{ clusterId: A }], describeClustersShowsTransitions: true } } });
    try {
      const sdk = new cynosdb.v20190107.Client({
        credential: KEY,
        region: "ap-guangzhou",
        profile: { httpProfile: { endpoint: `127.0.0.1:${other.port}`, protocol: "http://", agent: new Agent() } },
      });
      await sdk.PauseServerless({ ClusterId: A, ForcePause: 1 });
      const list = await sdk.DescribeClusters({ Filters: [{ Names: ["ClusterId"], Values: [A], ExactMatch: true }] });
      expect(list.ClusterSet[0].ServerlessStatus).toBe("pausing");
    } finally {
      await other.stop();
    }
  });

  it("serves the demo seed and credentials by default", async () => {
    const demo = await startEmulator({ transitionMs: 100 });
    try {
      const sdk = new cynosdb.v20190107.Client({
        credential: DEMO_TENCENT_CREDENTIALS,
        region: "ap-guangzhou",
        profile: { httpProfile: { endpoint: `127.0.0.1:${demo.port}`, protocol: "http://", agent: new Agent() } },
      });
      const list = await sdk.DescribeClusters({ Limit: 100 });
      expect(list.TotalCount).toBeGreaterThanOrEqual(5);
      expect(list.ClusterSet.some((c: { DbMode: string }) => c.DbMode === "NORMAL")).toBe(true);
    } finally {
      await demo.stop();
    }
  });
});
