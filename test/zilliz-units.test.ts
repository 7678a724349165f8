import { describe, expect, it } from "vitest";
import { CloudApiError, ClusterNotFoundError, ConfigurationError, redact } from "../src/core/errors";
import type { HttpResponse } from "../src/core/http";
import { apiUrl, keyFingerprint, resolveZillizConfig, scopeOf, type ZillizEndpointSettings } from "../src/clouds/zilliz/config";
import { ClusterData, ListData, looksLikeStateConflict, parseResponse, WriteData } from "../src/clouds/zilliz/responses";
import { failureReasonOf, powerOf, snapshotOf, unsupportedReasonOf } from "../src/clouds/zilliz/status";

const KEY = "unit-test-zilliz-key-0123456789abcdef";
const res = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  text: typeof body === "string" ? body : JSON.stringify(body),
});
const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
};

describe("status mapping", () => {
  it("maps every documented status, both suspend spellings included", () => {
    const table: Array<[string, string, "fail" | "-"]> = [
      ["RUNNING", "running", "-"],
      ["STOPPING", "pausing", "-"],
      ["SUSPENDING", "pausing", "-"],
      ["STOPPED", "paused", "-"],
      ["SUSPENDED", "paused", "-"],
      ["RESUMING", "resuming", "-"],
      ["CREATING", "unknown", "-"],
      ["MODIFYING", "unknown", "-"],
      ["INITIALIZING", "unknown", "-"],
      ["DELETING", "unknown", "fail"],
      ["DELETED", "unknown", "fail"],
      ["ABNORMAL", "unknown", "fail"],
      ["FREEZING", "unknown", "fail"],
      ["FROZEN", "unknown", "fail"],
      ["SOMETHING_NEW", "unknown", "-"],
    ];
    for (const [raw, power, failure] of table) {
      expect(powerOf(raw), raw).toBe(power);
      expect(failureReasonOf(raw) !== undefined, raw).toBe(failure === "fail");
    }
  });

  it("keeps the raw value and refuses Free and Serverless plans before any write", () => {
    const s = snapshotOf({ clusterId: "in01-a", status: "SOMETHING_NEW", plan: "Standard" }, "rid-1");
    expect(s).toEqual({ clusterId: "in01-a", power: "unknown", rawStatus: "SOMETHING_NEW", requestId: "rid-1" });
    expect(snapshotOf({ clusterId: "in01-b", status: "RUNNING", plan: "Free" }).unsupportedReason).toMatch(/Free and Serverless plans cannot be suspended.*only Dedicated/);
    expect(snapshotOf({ clusterId: "in01-c", status: "RUNNING", plan: "Serverless" }).unsupportedReason).toMatch(/Serverless cluster/);
    expect(snapshotOf({ clusterId: "in01-d", status: "RUNNING", plan: "Enterprise" }).unsupportedReason).toBeUndefined();
    expect(snapshotOf({ clusterId: "in01-e", status: "FROZEN", plan: "Standard" }).failureReason).toMatch(/FROZEN/);
  });

  it("falls back on the id prefix only when the answer has no plan (the v1 docs' example has none)", () => {
    expect(unsupportedReasonOf(undefined, "in03-abc")).toMatch(/Free cluster/);
    expect(unsupportedReasonOf("", "in05-abc")).toMatch(/Serverless cluster/);
    expect(unsupportedReasonOf(undefined, "in01-abc")).toBeUndefined();
    expect(unsupportedReasonOf("Standard", "in03-abc")).toBeUndefined(); // the plan wins over the prefix
  });
});

describe("endpoint and key resolution", () => {
  const resolve = (s: Partial<ZillizEndpointSettings>) => resolveZillizConfig({ apiKey: KEY, env: {}, ...s });

  it("v2 picks the global or China base by region prefix or by option", () => {
    expect(resolve({}).base.href).toBe("https://api.cloud.zilliz.com/");
    expect(resolve({ region: "aws-us-west-2" }).base.href).toBe("https://api.cloud.zilliz.com/");
    expect(resolve({ region: "ali-cn-hangzhou" }).base.href).toBe("https://api.cloud.zilliz.com.cn/");
    expect(resolve({ region: "tc-ap-beijing" }).base.href).toBe("https://api.cloud.zilliz.com.cn/");
    expect(resolve({ region: "aws-us-west-2", site: "china" }).base.href).toBe("https://api.cloud.zilliz.com.cn/");
    expect(apiUrl(resolve({}), "/clusters/in01-x/suspend").href).toBe("https://api.cloud.zilliz.com/v2/clusters/in01-x/suspend");
  });

  it("v1 builds controller.api.{region} hosts; the China domain is an option", () => {
    expect(apiUrl(resolve({ apiVersion: "v1", region: "aws-us-west-2" }), "/clusters/in01-x").href).toBe(
      "https://controller.api.aws-us-west-2.zillizcloud.com/v1/clusters/in01-x",
    );
    expect(resolve({ apiVersion: "v1", region: "ali-cn-hangzhou" }).base.host).toBe("controller.api.ali-cn-hangzhou.cloud.zilliz.com.cn");
    expect(resolve({ apiVersion: "v1", region: "ali-cn-hangzhou", v1ChinaDomain: "zilliz.com.cn" }).base.host).toBe("controller.api.ali-cn-hangzhou.zilliz.com.cn");
    expect(thrown(() => resolve({ apiVersion: "v1" }))).toMatchObject({ field: "region" });
  });

  it("an override (option or env) replaces the base; on v1 the region travels in a header or a {region} placeholder", () => {
    const env = { CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT: "http://127.0.0.1:9999/v2/" };
    expect(apiUrl(resolve({ env }), "/clusters").href).toBe("http://127.0.0.1:9999/v2/clusters");
    const v1 = resolve({ apiVersion: "v1", region: "aws-us-west-2", endpoint: "http://localhost:8080/proxy" });
    expect(apiUrl(v1, "/clusters/a").href).toBe("http://localhost:8080/proxy/v1/clusters/a");
    expect(v1.regionHeader).toBe("aws-us-west-2");
    const placeholder = resolve({ apiVersion: "v1", region: "gcp-us-west1", endpoint: "https://zc-{region}.proxy.example" });
    expect(placeholder.base.host).toBe("zc-gcp-us-west1.proxy.example");
    expect(placeholder.regionHeader).toBeUndefined();
    // The same override for two regions must not share a scope (different quotas and views).
    expect(scopeOf(v1)).not.toBe(scopeOf(resolve({ apiVersion: "v1", region: "aws-us-east-1", endpoint: "http://localhost:8080/proxy" })));
  });

  it("sends the key only over https or to loopback", () => {
    expect(thrown(() => resolve({ endpoint: "http://zilliz.example.com" }))).toBeInstanceOf(ConfigurationError);
    expect(thrown(() => resolve({ endpoint: "http://10.0.0.5:8080" }))).toMatchObject({ field: "endpoint" });
    expect(() => resolve({ endpoint: "http://[::1]:1234" })).not.toThrow();
  });

  it("names both ways of giving the key when it is missing, and never shows the key", () => {
    const error = thrown(() => resolveZillizConfig({ env: {} })) as ConfigurationError;
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain("zillizcloud:apiKey");
    expect(error.message).toContain("ZILLIZCLOUD_API_KEY");
    expect(resolveZillizConfig({ env: { ZILLIZCLOUD_API_KEY: KEY } }).apiKey).toBe(KEY);
    const config = resolve({});
    expect(scopeOf(config)).toBe(`zillizcloud:https://api.cloud.zilliz.com/v2:${keyFingerprint(KEY)}`);
    expect(scopeOf(config)).not.toContain(KEY);
    expect(redact(`Authorization: Bearer ${KEY}`)).not.toContain(KEY);
    expect(thrown(() => resolve({ apiKey: "two words" }))).toMatchObject({ field: "zillizcloud:apiKey" });
  });

  it("rejects a region that is not a region id before it can reach a host name", () => {
    expect(thrown(() => resolve({ apiVersion: "v1", region: "evil.com/x" }))).toMatchObject({ field: "region" });
  });
});

describe("response parser on the shapes recorded in the research notes", () => {
  const suspend = { operation: "suspend" as const, clusterId: "inxx-xxxxxxxxxxxxxxx" };

  it("v2 suspend and resume success (code 0) return clusterId and prompt, with the requestid header", () => {
    const body = {
      code: 0,
      data: {
        clusterId: "inxx-xxxxxxxxxxxxxxx",
        prompt: "Successfully Submitted. The cluster will not incur any computing costs when suspended. You will only be billed for the storage costs during this time.",
      },
    };
    const parsed = parseResponse(res(200, body, { requestid: "req-42" }), WriteData, suspend);
    expect(parsed).toEqual({ data: body.data, requestId: "req-42" });
    const resume = parseResponse(
      res(200, {
        code: 0,
        data: {
          clusterId: "inxx-xxxxxxxxxxxxxxx",
          prompt:
            "successfully Submitted. Cluster is being resumed, which is expected to takes several minutes. You can access data about the creation progress and status of your cluster by DescribeCluster API. Once the cluster status is RUNNING, you may access your vector database using the SDK.",
        },
      }),
      WriteData,
      { operation: "resume" },
    );
    expect(resume.data.prompt).toMatch(/being resumed/);
  });

  it("v1 envelopes with code 200 (and the older prompt text) are success", () => {
    const parsed = parseResponse(
      res(200, {
        code: 200,
        data: {
          clusterId: "cluster01",
          prompt: "Submission successful. Your vector database computing cost is free until you Resume the Cluster, and only storage costs will be charged.",
        },
      }),
      WriteData,
      suspend,
    );
    expect(parsed.data.clusterId).toBe("cluster01");
  });

  it("v2 describe (docs example) and v1 describe (Terraform's recorded fixture) parse", () => {
    const v2 = parseResponse(
      res(200, {
        code: 0,
        data: {
          clusterId: "in01-108240180a4faf8", clusterName: "dedicated-test", projectId: "proj-b44a39b0c51cf21791a841", description: "",
          regionId: "aws-us-west-2", cuType: "Performance-optimized", plan: "Standard", status: "RUNNING",
          connectAddress: "https://in01-....aws-us-west-2.vectordb....zillizcloud.com:19539", privateLinkAddress: "",
          createTime: "2024-06-30T16:34:09Z", cuSize: 2, storageSize: 0, snapshotNumber: 0, createProgress: 100,
        },
      }),
      ClusterData,
      { operation: "describe", clusterId: "in01-108240180a4faf8" },
    );
    expect(snapshotOf(v2.data)).toMatchObject({ power: "running", rawStatus: "RUNNING" });
    const v1 = parseResponse(
      res(
        200,
        '{"code":200,"data":{"clusterId":"in01-850a24ece14d872","clusterName":"a-standard-type-cluster","description":"pre create instance","regionId":"gcp-us-west1","clusterType":"Performance-optimized","plan":"Standard","cuSize":1,"status":"RUNNING","connectAddress":"https://in01-850a24ece14d872.gcp-us-west1.vectordb.zillizcloud.com:443","privateLinkAddress":"","createTime":"2024-05-06T05:52:06Z","storageSize":0,"snapshotNumber":0,"createProgress":100,"projectId":"proj-4487580fcfe2c8a4391686"}}\n',
      ),
      ClusterData,
      { operation: "describe", clusterId: "in01-850a24ece14d872" },
    );
    expect(v1.data).toMatchObject({ clusterType: "Performance-optimized", plan: "Standard", status: "RUNNING" });
  });

  it("the v1 docs' describe example (no plan, a Free in03- cluster) is refused as unsupported", () => {
    const parsed = parseResponse(
      res(200, {
        code: 200,
        data: {
          clusterId: "in03-***************", clusterName: "Cluster-01", description: "", regionId: "gcp-us-west1", clusterType: "", cuSize: 0,
          status: "RUNNING", connectAddress: "https://in03-***************.api.gcp-us-west1.cloud-uat3.zilliz.com", privateLinkAddress: "",
          createTime: "2023-12-12T11:32:43Z", storageSize: 0, snapshotNumber: 0, createProgress: 100,
        },
      }),
      ClusterData,
      { operation: "describe", clusterId: "in03-x" },
    );
    expect(snapshotOf(parsed.data).unsupportedReason).toMatch(/Free/);
  });

  it("v2 list (docs example: paged object) and the bare-array variant of the same page's schema", () => {
    const paged = parseResponse(
      res(200, {
        code: 0,
        data: {
          count: 1, currentPage: 1, pageSize: 10,
          clusters: [{ clusterId: "inxx-xxxxxxxxxxxxxxx", clusterName: "dedicated-3", description: "", regionId: "aws-us-west-2", plan: "Standard", cuType: "Performance-optimized", cuSize: 1, status: "RUNNING", connectAddress: "https://inxx.aws-us-west-2.vectordb.zillizcloud.com:19530", privateLinkAddress: "", createTime: "2024-06-30T16:49:50Z", projectId: "proj-xxxxxxxxxxxxxxxxxxxxxx" }],
        },
      }),
      ListData,
      { operation: "list" },
    );
    expect(paged.data.count).toBe(1);
    expect(paged.data.clusters[0].status).toBe("RUNNING");
    const bare = parseResponse(res(200, { code: 0, data: [{ clusterId: "in01-a", status: "STOPPED", plan: "Standard" }] }), ListData, { operation: "list" });
    expect(bare.data.clusters).toHaveLength(1);
    // The v1 docs' empty list.
    expect(parseResponse(res(200, { code: 200, data: { count: 0, currentPage: 1, pageSize: 10, clusters: [] } }), ListData, { operation: "list" }).data.clusters).toEqual([]);
  });

  it("401 bodies: v2 21119 (with and without the period) and v1 80001 are non-retryable CloudApiErrors with code, HTTP status and requestid", () => {
    for (const [status, body] of [
      [401, { code: 21119, message: "The apikey is illegal" }],
      [200, { code: 21119, message: "The apikey is illegal." }],
      [401, { code: 80001, message: "Invalid token: Your token is not valid. Please double-check your request parameters and ensure that you have provided a valid token." }],
    ] as const) {
      const error = thrown(() => parseResponse(res(status, body, { requestid: "rid-9" }), WriteData, suspend)) as CloudApiError;
      expect(error).toBeInstanceOf(CloudApiError);
      expect(error).not.toBeInstanceOf(ClusterNotFoundError);
      expect(error).toMatchObject({ code: String(body.code), httpStatus: status, requestId: "rid-9", retryable: false, action: "suspend", cloud: "zillizcloud" });
      expect(error.message).toContain(body.message);
      expect(error.message).toMatch(/ZILLIZCLOUD_API_KEY/);
    }
  });

  it("errors under HTTP 200 (Terraform's recorded 40013) are errors, not data", () => {
    const error = thrown(() => parseResponse(res(200, { code: 40013, message: "The specified cluster name already exists." }), WriteData, suspend));
    expect(error).toMatchObject({ code: "40013", httpStatus: 200, retryable: false });
  });

  it("only v2's 96018 becomes ClusterNotFoundError, under HTTP 200 or 404", () => {
    for (const status of [200, 404]) {
      const error = thrown(() => parseResponse(res(status, { code: 96018, message: "Cluster not found. Please use the ListClusters API to obtain your scoped clusters." }), ClusterData, { operation: "describe", clusterId: "in01-gone" }));
      expect(error).toBeInstanceOf(ClusterNotFoundError);
      expect(error).toMatchObject({ clusterId: "in01-gone", retryable: false });
    }
  });

  it("answers that do not prove the cluster is gone stay plain, non-retryable CloudApiErrors (docs/reliability.md)", () => {
    for (const [status, body, code] of [
      // "not exist or you don't have permission": the driver confirms it with the list.
      [200, { code: 80020, message: "Cluster not exist or you don't have permission." }, "80020"],
      // It exists, in another region.
      [200, { code: 90102, message: "The cluster does not exist in current region." }, "90102"],
      // Any gateway's 404, HTML or JSON.
      [404, "<html>404 page not found</html>", "HTTP404"],
      [404, { code: 404, message: "path not found" }, "404"],
    ] as const) {
      const error = thrown(() => parseResponse(res(status, body), ClusterData, { operation: "describe", clusterId: "in01-gone" }));
      expect(error).toBeInstanceOf(CloudApiError);
      expect(error).not.toBeInstanceOf(ClusterNotFoundError);
      expect(error).toMatchObject({ code, retryable: false });
    }
  });

  it("5xx with an HTML body, 429 and rate-limit-looking bodies are retryable; plan errors are not", () => {
    const html = thrown(() => parseResponse(res(502, "<html><body>502 Bad Gateway</body></html>", { "content-type": "text/html" }), ClusterData, { operation: "describe" }));
    expect(html).toMatchObject({ code: "HTTP502", httpStatus: 502, retryable: true });
    expect(thrown(() => parseResponse(res(429, { code: 429, message: "Too many requests" }), ClusterData, { operation: "describe" }))).toMatchObject({ retryable: true });
    expect(thrown(() => parseResponse(res(200, { code: 90001, message: "Rate limit exceeded, please retry later" }), ClusterData, { operation: "describe" }))).toMatchObject({ retryable: true });
    for (const c of [80021, 96021, 96022, 96014, 96015, 96016]) {
      expect(thrown(() => parseResponse(res(200, { code: c, message: "no" }), WriteData, suspend))).toMatchObject({ code: String(c), retryable: false });
    }
  });

  it("a body that is not JSON or not the documented shape is a clear CloudApiError, never a crash", () => {
    expect(thrown(() => parseResponse(res(200, '{"code":0,"data":{"clus'), ClusterData, { operation: "describe" }))).toMatchObject({ code: "InvalidResponse", retryable: true });
    const shape = thrown(() => parseResponse(res(200, { code: 0, data: { clusterId: 5 } }), ClusterData, { operation: "describe" })) as CloudApiError;
    expect(shape).toMatchObject({ code: "InvalidResponse", retryable: false });
    expect(shape.message).toMatch(/data\.clusterId/);
    expect(thrown(() => parseResponse(res(200, "[1,2]"), ClusterData, { operation: "describe" }))).toMatchObject({ code: "InvalidResponse" });
  });

  it("state conflicts: the emulator's answer and Terraform's mock count, other 400s do not", () => {
    expect(looksLikeStateConflict("400", 400, "Cluster status is not RUNNING (current status: STOPPED); suspend is not allowed.")).toBe(true);
    const mock = thrown(() => parseResponse(res(400, { error: "cluster status is not RUNNING" }), WriteData, suspend)) as CloudApiError;
    expect(looksLikeStateConflict(mock.code, mock.httpStatus, mock.cloudMessage)).toBe(true);
    expect(looksLikeStateConflict("80000", 400, "Incorrect parameter: xxx")).toBe(false);
    expect(looksLikeStateConflict("96022", 400, "Serverless cluster does not support this operation.")).toBe(false);
    expect(looksLikeStateConflict("12345", 200, "anything", new Set(["12345"]))).toBe(true);
  });
});
