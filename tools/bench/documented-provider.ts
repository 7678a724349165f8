import type * as pulumi from "@pulumi/pulumi";
import { request } from "undici";

/**
 * The comparison point for `__provider` size: the resource written the way Pulumi's dynamic
 * provider guide shows it, a `pulumi.dynamic.ResourceProvider` object whose methods do the work,
 * defined next to the program, so Pulumi serializes the implementation by value into every
 * resource's state. It is deliberately small and generous to the documented pattern: Zilliz v2
 * only (no Tencent TC3 signing), no rate limiting, no retries, no zod.
 *
 * Capturing this package's real implementation the same way does not even serialize: the closure
 * serializer follows the drivers into zod and fails ("package.json export path for
 * zod/v4/classic/... not found"); the benchmark reports that error next to this figure.
 * Only serialized by the benchmark, never run.
 */

interface Inputs {
  clusterId: string;
  powerState: "running" | "paused";
  endpoint?: string;
  timeoutSeconds?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function call(inputs: Inputs, method: "GET" | "POST", path: string): Promise<any> {
  const base = inputs.endpoint ?? "https://api.cloud.zilliz.com";
  const res = await request(`${base}/v2/clusters/${encodeURIComponent(inputs.clusterId)}${path}`, {
    method,
    headers: { authorization: `Bearer ${process.env.ZILLIZCLOUD_API_KEY}`, "content-type": "application/json" },
  });
  const body: any = await res.body.json();
  if (res.statusCode >= 400 || body.code !== 0) throw new Error(`zilliz ${path || "describe"}: [${body.code}] ${body.message}`);
  return body.data;
}

async function apply(inputs: Inputs): Promise<Record<string, unknown>> {
  const target = inputs.powerState === "paused" ? "SUSPENDED" : "RUNNING";
  const deadline = Date.now() + (inputs.timeoutSeconds ?? 1800) * 1000;
  let status = (await call(inputs, "GET", "")).status;
  let prompt: string | undefined;
  if (status !== target) prompt = (await call(inputs, "POST", target === "SUSPENDED" ? "/suspend" : "/resume")).prompt;
  for (let delay = 2000; status !== target; delay = Math.min(delay * 1.5, 15000)) {
    if (Date.now() > deadline) throw new Error(`${inputs.clusterId}: still ${status} at the deadline`);
    await sleep(delay);
    status = (await call(inputs, "GET", "")).status;
  }
  return { ...inputs, observedState: inputs.powerState, rawStatus: status, prompt: prompt ?? "" };
}

export const documentedProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    const failures = [];
    if (typeof news.clusterId !== "string" || !/^in\d{2}-[0-9a-z]+$/.test(news.clusterId)) failures.push({ property: "clusterId", reason: "expected e.g. in01-0123456789abcdef" });
    if (news.powerState !== "running" && news.powerState !== "paused") failures.push({ property: "powerState", reason: 'expected "running" or "paused"' });
    return { inputs: news, failures };
  },
  async diff(_id, olds, news) {
    const replaces = olds.clusterId !== news.clusterId ? ["clusterId"] : [];
    return { changes: replaces.length > 0 || olds.powerState !== news.powerState, replaces };
  },
  async create(inputs) {
    return { id: inputs.clusterId, outs: await apply(inputs) };
  },
  async read(id, props) {
    const data = await call(props, "GET", "");
    return { id, props: { ...props, rawStatus: data.status } };
  },
  async update(_id, _olds, news) {
    return { outs: await apply(news) };
  },
  async delete() {},
};
