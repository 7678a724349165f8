import { createHash } from "node:crypto";
import { request } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/server";
import { DEFAULT_ZILLIZ_CLUSTERS, DEMO_ZILLIZ_API_KEY } from "../src/clouds/zilliz/emulator";

/** The Zilliz part of the emulator, spoken to over raw HTTP: codes, bodies, timing, limits, log. */

let emu: Emulator;
let serial = 0;
const AUTH = { authorization: `Bearer ${DEMO_ZILLIZ_API_KEY}` };

beforeAll(async () => {
  emu = await startEmulator({ transitionMs: 120 });
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(() => {
  emu.faults.clear();
  emu.log.clear();
});

async function call(method: "GET" | "POST", path: string, headers: Record<string, string> = AUTH) {
  const res = await request(`${emu.url}${path}`, { method, headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: JSON.parse(text) as Record<string, unknown> };
}

function fresh(plan: "Standard" | "Free" | "Serverless" = "Standard", regionId = "aws-us-west-2"): string {
  const id = `in01-e${(++serial).toString(16).padStart(14, "0")}`;
  emu.part("zillizcloud").addCluster({ clusterId: id, regionId, plan });
  return id;
}

const v1 = (region = "aws-us-west-2") => ({ ...AUTH, "x-cluster-power-region": region });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Zilliz emulator", () => {
  it("seeds Dedicated clusters in two regions, one Free in03- and one Serverless in05-, reachable with the demo key", async () => {
    const plans = DEFAULT_ZILLIZ_CLUSTERS.map((c) => `${c.clusterId.slice(0, 4)}:${c.plan}:${c.regionId}`);
    expect(plans).toContain("in03:Free:aws-us-west-2");
    expect(plans).toContain("in05:Serverless:aws-us-west-2");
    expect(plans.filter((p) => p.startsWith("in01") && p.endsWith("ali-cn-hangzhou"))).toHaveLength(1);
    const res = await call("GET", `/v2/clusters/${DEFAULT_ZILLIZ_CLUSTERS[0].clusterId}`);
    expect(res.json).toMatchObject({ code: 0, data: { status: "RUNNING", plan: "Standard" } });
  });

  it("v2 refuses missing, unknown and revoked keys with 401 + 21119", async () => {
    const id = fresh();
    const key = "revoke-me-key-0123456789";
    emu.part("zillizcloud").addApiKey(key);
    expect((await call("GET", `/v2/clusters/${id}`, { authorization: `Bearer ${key}` })).status).toBe(200);
    emu.part("zillizcloud").revokeApiKey(key);
    for (const headers of [{}, { authorization: "Bearer nope-nope-nope" }, { authorization: `Bearer ${key}` }, { authorization: DEMO_ZILLIZ_API_KEY }] as Array<Record<string, string>>) {
      const res = await call("POST", `/v2/clusters/${id}/suspend`, headers);
      expect(res.status).toBe(401);
      expect(res.text).toBe('{"code":21119,"message":"The apikey is illegal."}');
    }
    expect(emu.part("zillizcloud").getCluster(id)?.status).toBe("RUNNING");
  });

  it("v1 answers 80001 for an unknown or malformed key and 80002 for a revoked one", async () => {
    const id = fresh();
    const key = "v1-revoke-key-0123456789";
    emu.part("zillizcloud").addApiKey(key);
    emu.part("zillizcloud").revokeApiKey(key);
    const unknown = await call("GET", `/v1/clusters/${id}`, { authorization: "Bearer who-knows", "x-cluster-power-region": "aws-us-west-2" });
    expect([unknown.status, unknown.json]).toEqual([401, { code: 80001, message: "The token is illegal" }]);
    const revoked = await call("GET", `/v1/clusters/${id}`, { authorization: `Bearer ${key}`, "x-cluster-power-region": "aws-us-west-2" });
    expect([revoked.status, revoked.json]).toEqual([401, { code: 80002, message: "The token is invalid" }]);
  });

  it("v1 takes the region from a controller.api.{region} Host header or the override header, else 90117", async () => {
    const id = fresh();
    const byHost = await call("GET", `/v1/clusters/${id}`, { ...AUTH, host: "controller.api.aws-us-west-2.zillizcloud.com" });
    expect(byHost.json).toMatchObject({ code: 200, data: { clusterId: id, regionId: "aws-us-west-2" } });
    const byHeader = await call("GET", `/v1/clusters/${id}`, v1());
    expect(byHeader.json).toMatchObject({ code: 200 });
    expect((await call("GET", `/v1/clusters/${id}`)).json).toEqual({ code: 90117, message: "Invalid domain name used" });
    const cn = fresh("Standard", "ali-cn-hangzhou");
    for (const host of ["controller.api.ali-cn-hangzhou.cloud.zilliz.com.cn", "controller.api.ali-cn-hangzhou.zilliz.com.cn"]) {
      expect((await call("GET", `/v1/clusters/${cn}`, { ...AUTH, host })).json).toMatchObject({ code: 200 });
    }
    expect((await call("GET", `/v1/clusters/${cn}`, v1())).json).toEqual({ code: 90102, message: "The cluster does not exist in current region." });
    expect((await call("GET", `/v1/clusters/in01-missing`, v1())).json).toEqual({ code: 80020, message: "Cluster not exist or you don't have permission." });
  });

  it("v2 and v1 describe bodies carry the documented fields in the documented order", async () => {
    const id = fresh();
    const v2 = await call("GET", `/v2/clusters/${id}`);
    expect(v2.headers["requestid"]).toMatch(/^[0-9a-f]{32}$/);
    expect(Object.keys(v2.json.data as object)).toEqual([
      "clusterId", "clusterName", "projectId", "description", "regionId", "cuType", "plan", "status", "connectAddress",
      "privateLinkAddress", "createTime", "cuSize", "storageSize", "snapshotNumber", "createProgress",
    ]);
    const one = await call("GET", `/v1/clusters/${id}`, v1());
    expect(one.json.code).toBe(200);
    expect(Object.keys(one.json.data as object)).toEqual([
      "clusterId", "clusterName", "description", "regionId", "clusterType", "plan", "cuSize", "status", "connectAddress",
      "privateLinkAddress", "createTime", "storageSize", "snapshotNumber", "createProgress", "projectId",
    ]);
    expect((await call("GET", `/v2/clusters/in01-missing`)).json).toEqual({
      code: 96018,
      message: "Cluster not found. Please use the ListClusters API to obtain your scoped clusters.",
    });
  });

  it("moves RUNNING -> STOPPING -> STOPPED -> RESUMING -> RUNNING over the transition time, with the docs' prompts", async () => {
    const id = fresh();
    const suspend = await call("POST", `/v2/clusters/${id}/suspend`);
    expect(suspend.text).toBe(
      `{"code":0,"data":{"clusterId":"${id}","prompt":"Successfully Submitted. The cluster will not incur any computing costs when suspended. You will only be billed for the storage costs during this time."}}`,
    );
    expect(emu.part("zillizcloud").getCluster(id)?.status).toBe("STOPPING");
    await sleep(150);
    expect((await call("GET", `/v2/clusters/${id}`)).json).toMatchObject({ data: { status: "STOPPED" } });
    const resume = await call("POST", `/v1/clusters/${id}/resume`, v1());
    expect(resume.json).toMatchObject({ code: 200, data: { clusterId: id, prompt: expect.stringMatching(/^Submission successful\. Cluster is currently resuming/) } });
    expect(emu.part("zillizcloud").getCluster(id)?.status).toBe("RESUMING");
    await sleep(150);
    expect(emu.part("zillizcloud").getCluster(id)?.status).toBe("RUNNING");
  });

  it("rejects wrong-state suspend/resume with HTTP 400 and leaves the cluster alone", async () => {
    const id = fresh();
    const resume = await call("POST", `/v2/clusters/${id}/resume`);
    expect([resume.status, resume.json]).toEqual([400, { code: 400, message: "Cluster status is not STOPPED (current status: RUNNING); resume is not allowed." }]);
    await call("POST", `/v2/clusters/${id}/suspend`);
    const again = await call("POST", `/v2/clusters/${id}/suspend`);
    expect(again.status).toBe(400);
    expect(again.json.message).toMatch(/current status: STOPPING/);
    emu.part("zillizcloud").setStatusSpelling("SUSPENDED");
    try {
      expect((await call("POST", `/v2/clusters/${id}/suspend`)).json.message).toMatch(/current status: SUSPENDING/);
    } finally {
      emu.part("zillizcloud").setStatusSpelling("STOPPED");
    }
  });

  it("refuses Free and Serverless with 80021 on v1 and 96021 / 96022 on v2; HTTP 200 or 4xx by option", async () => {
    const free = fresh("Free");
    const serverless = fresh("Serverless");
    expect((await call("POST", `/v2/clusters/${free}/suspend`)).json).toEqual({ code: 96021, message: "Free cluster does not support this operation." });
    expect((await call("POST", `/v2/clusters/${serverless}/resume`)).json).toEqual({ code: 96022, message: "Serverless cluster does not support this operation." });
    expect((await call("POST", `/v1/clusters/${serverless}/suspend`, v1())).json).toEqual({ code: 80021, message: "Serverless cluster not support this operation." });
    emu.part("zillizcloud").setErrorHttpStatus("4xx");
    try {
      expect((await call("POST", `/v2/clusters/${free}/suspend`)).status).toBe(400);
      expect((await call("GET", `/v2/clusters/in01-missing`)).status).toBe(404);
    } finally {
      emu.part("zillizcloud").setErrorHttpStatus("200");
    }
    expect(emu.part("zillizcloud").getCluster(free)?.status).toBe("RUNNING");
  });

  it("ABNORMAL/DELETED/FROZEN are settable and block writes; SUSPENDING via setStatus starts a transition", async () => {
    const id = fresh();
    for (const status of ["ABNORMAL", "DELETED", "FROZEN"]) {
      emu.part("zillizcloud").setStatus(id, status);
      expect((await call("GET", `/v2/clusters/${id}`)).json).toMatchObject({ data: { status } });
      expect((await call("POST", `/v2/clusters/${id}/suspend`)).status).toBe(400);
    }
    emu.part("zillizcloud").setStatus(id, "RUNNING");
    emu.part("zillizcloud").setStatus(id, "SUSPENDING");
    expect(emu.part("zillizcloud").getCluster(id)?.status).toBe("STOPPING");
    await sleep(150);
    expect(emu.part("zillizcloud").getCluster(id)?.status).toBe("STOPPED");
    expect(() => emu.part("zillizcloud").suspendOutOfBand(id)).toThrow(/not RUNNING/);
  });

  it("lists with paging (v2: the account; v1: the region) and validates page parameters", async () => {
    const all = emu.part("zillizcloud").listClusters();
    const page2 = await call("GET", "/v2/clusters?pageSize=2&currentPage=2");
    expect(page2.json).toMatchObject({ code: 0, data: { count: all.length, currentPage: 2, pageSize: 2 } });
    expect((page2.json.data as { clusters: Array<{ clusterId: string }> }).clusters.map((c) => c.clusterId)).toEqual(all.slice(2, 4).map((c) => c.clusterId));
    const hz = await call("GET", "/v1/clusters?pageSize=100&current=1", v1("ali-cn-hangzhou"));
    const hzIds = (hz.json.data as { clusters: Array<{ regionId: string }> }).clusters.map((c) => c.regionId);
    expect(hzIds.length).toBeGreaterThan(0);
    expect(hzIds.every((r) => r === "ali-cn-hangzhou")).toBe(true);
    expect((await call("GET", "/v2/clusters?pageSize=0")).json).toMatchObject({ code: 96008 });
    expect((await call("GET", "/v2/clusters?currentPage=0")).json).toMatchObject({ code: 96009 });
    expect((await call("GET", "/v1/clusters?pageSize=3", v1())).json).toMatchObject({ code: 80003 });
  });

  it("enforces 20 requests/s per endpoint per key with HTTP 429 and a {code, message} body", async () => {
    const key = "rate-key-0123456789abcdef";
    emu.part("zillizcloud").addApiKey(key);
    const headers = { authorization: `Bearer ${key}` };
    const id = fresh();
    const answers = await Promise.all(Array.from({ length: 25 }, () => call("GET", `/v2/clusters/${id}`, headers)));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(5);
    expect(limited[0].json).toMatchObject({ code: 429, message: expect.stringMatching(/20 requests per second per user per endpoint/) });
    // Another endpoint of the same key, and the same endpoint of another key, are counted apart.
    expect((await call("GET", "/v2/clusters", headers)).status).toBe(200);
    expect((await call("GET", `/v2/clusters/${id}`)).status).toBe(200);
    expect(emu.log.count({ outcome: "RateLimited" })).toBe(5);
  });

  it("logs every request with the key's fingerprint as caller and the Authorization header kept apart", async () => {
    const id = fresh();
    await call("POST", `/v1/clusters/${id}/suspend`, v1());
    const [entry] = emu.log.find({ clusterId: id });
    const fingerprint = createHash("sha256").update(DEMO_ZILLIZ_API_KEY).digest("hex").slice(0, 12);
    expect(entry).toMatchObject({ cloud: "zillizcloud", action: "suspend", apiVersion: "v1", outcome: "ok", httpStatus: 200, caller: fingerprint });
    expect(JSON.stringify(entry.headers)).not.toContain(DEMO_ZILLIZ_API_KEY);
    expect(entry.authorization).toBe(`Bearer ${DEMO_ZILLIZ_API_KEY}`);
  });

  it("renders injected faults: cloud error envelopes, and `after` faults that keep the effect", async () => {
    const id = fresh();
    emu.faults.push({ cloud: "zillizcloud", action: "describe", clusterId: id, fault: { kind: "error", code: "96016" } });
    expect((await call("GET", `/v2/clusters/${id}`)).json).toEqual({ code: 96016, message: "You don't have permission for this cluster. Please check your Apikey scope." });
    emu.faults.push({ cloud: "zillizcloud", action: "suspend", clusterId: id, fault: { kind: "http", status: 502 }, when: "after" });
    const broken = await call("POST", `/v2/clusters/${id}/suspend`).catch(() => undefined);
    expect(broken).toBeUndefined(); // an HTML 502 page is not JSON
    expect(emu.part("zillizcloud").getCluster(id)?.status).toBe("STOPPING");
    expect(emu.log.find({ clusterId: id, action: "suspend" }).map((e) => e.outcome)).toEqual(["HTTP502"]);
  });

  it("answers 404 for paths and 405 for methods it does not serve", async () => {
    expect((await call("GET", "/v2/regions")).status).toBe(404);
    expect((await call("GET", `/v2/clusters/${fresh()}/suspend`)).status).toBe(405);
  });
});
