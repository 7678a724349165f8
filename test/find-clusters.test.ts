import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TencentClusterSeed } from "../src/clouds/tencent/emulator";
import { DEMO_TENCENT_CREDENTIALS } from "../src/clouds/tencent/emulator";
import type { ZillizSeedCluster } from "../src/clouds/zilliz/emulator";
import { DEMO_ZILLIZ_API_KEY } from "../src/clouds/zilliz/emulator";
import { ConfigurationError } from "../src/core/errors";
import { startEmulator, type Emulator } from "../src/emulator/server";
import { findClusters } from "../src/find";
import type { FoundCluster } from "../src/find-args";
import { findClustersWith } from "../src/selection";

/**
 * findClusters against the emulator: a seeded mix of tagged, untagged, opted-out and ineligible
 * clusters over several pages on both clouds, checked against a plain filter over the seed; and
 * big lists paged within the rate limits at ceil(N/100) calls.
 */

const pad = (i: number) => String(i).padStart(5, "0");

/** 280 Tencent clusters: 250 in Guangzhou (3 pages), 30 in Shanghai. */
function tencentMix(): TencentClusterSeed[] {
  return Array.from({ length: 280 }, (_, i): TencentClusterSeed => {
    const tags: Record<string, string> = {};
    if (i % 5 === 0) tags.env = "dev";
    else if (i % 5 === 1) tags.env = "prod";
    else if (i % 5 === 2) tags.env = "Dev"; // not "dev": values match exactly
    if (i % 15 === 0) tags["cluster-power"] = i % 2 ? "OFF" : "off";
    if (i % 4 === 0) tags.team = "search";
    return {
      clusterId: `cynosdbmysql-t${pad(i)}`,
      region: i < 250 ? "ap-guangzhou" : "ap-shanghai",
      name: `${i % 3 === 0 ? "dev" : "app"}-${pad(i)}`,
      ...(i % 10 === 5 && { dbMode: "NORMAL" as const }),
      ...(i % 7 === 0 && { serverlessStatus: "pause" as const }),
      ...(i === 40 && { status: "deleted" }),
      tags,
    };
  });
}

/** 230 Zilliz clusters over two regions and two projects, some on Free and Serverless plans. */
function zillizMix(): ZillizSeedCluster[] {
  return Array.from({ length: 230 }, (_, i): ZillizSeedCluster => {
    const plan = i % 9 === 3 ? "Free" : i % 9 === 6 ? "Serverless" : "Standard";
    const labels: Record<string, string> = {};
    if (i % 3 === 0) labels.env = "dev";
    if (i % 3 === 1) labels.env = "staging";
    if (i % 12 === 0) labels["cluster-power"] = "off";
    if (i % 2 === 0) labels.owner = "vectors";
    return {
      clusterId: `${plan === "Free" ? "in03" : plan === "Serverless" ? "in05" : "in01"}-z${pad(i)}`,
      regionId: i % 4 === 3 ? "gcp-us-west1" : "aws-us-west-2",
      plan,
      clusterName: `${i % 2 ? "search" : "dev"}-${pad(i)}`,
      projectId: i % 5 === 0 ? "proj-b" : "proj-a",
      labels,
      ...(i === 99 && { status: "DELETED" }),
    };
  });
}

/** The independent answer: the seed, filtered by the documented rules with nothing shared with the product. */
function expectedTencent(seed: TencentClusterSeed[], region: string, tags: Record<string, string>, options: { namePrefix?: string; all?: boolean } = {}): string[] {
  return seed
    .filter((c) => c.region === region && c.status !== "deleted")
    .filter((c) => Object.entries(tags).every(([k, v]) => c.tags?.[k] === v))
    .filter((c) => !options.namePrefix || (c.name ?? "").startsWith(options.namePrefix))
    .filter((c) => (c.tags?.["cluster-power"] ?? "").toLowerCase() !== "off")
    .filter((c) => options.all || c.dbMode !== "NORMAL")
    .map((c) => c.clusterId)
    .sort();
}

function expectedZilliz(seed: ZillizSeedCluster[], labels: Record<string, string>, options: { region?: string; projectId?: string; all?: boolean } = {}): string[] {
  return seed
    .filter((c) => c.status !== "DELETED")
    .filter((c) => !options.region || c.regionId === options.region)
    .filter((c) => !options.projectId || c.projectId === options.projectId)
    .filter((c) => Object.entries(labels).every(([k, v]) => c.labels?.[k] === v))
    .filter((c) => c.labels?.["cluster-power"] !== "off")
    .filter((c) => options.all || c.plan === "Standard")
    .map((c) => c.clusterId)
    .sort();
}

const idsOf = (found: FoundCluster[]) => found.map((c) => c.clusterId);

describe("a seeded mix on both clouds, several pages each", () => {
  const tencentSeed = tencentMix();
  const zillizSeed = zillizMix();
  let emulator: Emulator;
  let context: (cloud: "tencentcloud" | "zillizcloud") => { config: Record<string, string | undefined>; env: NodeJS.ProcessEnv };

  beforeAll(async () => {
    emulator = await startEmulator({ seeds: { tencentcloud: { clusters: tencentSeed }, zillizcloud: { clusters: zillizSeed } } });
    context = (cloud) => ({
      config:
        cloud === "tencentcloud"
          ? { endpoint: emulator.url, secretId: DEMO_TENCENT_CREDENTIALS.secretId, secretKey: DEMO_TENCENT_CREDENTIALS.secretKey }
          : { endpoint: emulator.url, apiKey: DEMO_ZILLIZ_API_KEY },
      env: {},
    });
  });
  afterAll(() => emulator?.stop());

  it("Tencent: exactly the tagged, opted-in, serverless clusters of the region, from every page", async () => {
    emulator.log.clear();
    const dev = await findClustersWith({ cloud: "tencentcloud", region: "ap-guangzhou", tags: { env: "dev" } }, context("tencentcloud"));
    expect(idsOf(dev)).toEqual(expectedTencent(tencentSeed, "ap-guangzhou", { env: "dev" }));
    expect(dev.length).toBeGreaterThan(10);
    // 249 listed clusters (one is deleted): 3 pages of 100, no more.
    expect(emulator.log.count({ action: "DescribeClusters" })).toBe(3);
    expect(dev.every((c) => c.eligible && c.cloud === "tencentcloud" && c.region === "ap-guangzhou" && c.tags?.env === "dev" && c.labels === undefined)).toBe(true);
    expect(dev.find((c) => c.clusterId === "cynosdbmysql-t00070")).toMatchObject({ observedState: "paused", rawStatus: "SERVERLESS running/pause", name: "app-00070" });

    const both = await findClustersWith({ cloud: "tencentcloud", region: "ap-guangzhou", tags: { env: "dev", team: "search" }, namePrefix: "app-" }, context("tencentcloud"));
    expect(idsOf(both)).toEqual(expectedTencent(tencentSeed, "ap-guangzhou", { env: "dev", team: "search" }, { namePrefix: "app-" }));
    expect(both.length).toBeGreaterThan(3);

    const all = await findClustersWith({ cloud: "tencentcloud", region: "ap-guangzhou", tags: { env: "dev" }, includeIneligible: true }, context("tencentcloud"));
    expect(idsOf(all)).toEqual(expectedTencent(tencentSeed, "ap-guangzhou", { env: "dev" }, { all: true }));
    const normal = all.filter((c) => !c.eligible);
    expect(normal.length).toBeGreaterThan(0);
    expect(normal.every((c) => /NORMAL \(provisioned\)/.test(c.reason ?? ""))).toBe(true);

    const shanghai = await findClustersWith({ cloud: "tencentcloud", region: "ap-shanghai", tags: { env: "dev" } }, context("tencentcloud"));
    expect(idsOf(shanghai)).toEqual(expectedTencent(tencentSeed, "ap-shanghai", { env: "dev" }));

    const other = await findClustersWith({ cloud: "tencentcloud", region: "ap-guangzhou", tags: { env: "dev" }, optOutTag: "team" }, context("tencentcloud"));
    // With another opt-out key, clusters tagged cluster-power=off are selected again (team is never "off").
    expect(other.length).toBeGreaterThan(dev.length);
  });

  it("Zilliz: exactly the labelled, opted-in, dedicated clusters, by region and project", async () => {
    emulator.log.clear();
    const dev = await findClustersWith({ cloud: "zillizcloud", labels: { env: "dev" } }, context("zillizcloud"));
    expect(idsOf(dev)).toEqual(expectedZilliz(zillizSeed, { env: "dev" }));
    expect(emulator.log.count({ action: "list" })).toBe(3);
    expect(dev.every((c) => c.eligible && c.labels?.env === "dev" && c.tags === undefined && c.projectId !== undefined)).toBe(true);

    const scoped = await findClustersWith({ cloud: "zillizcloud", labels: { env: "dev", owner: "vectors" }, region: "aws-us-west-2", projectId: "proj-a" }, context("zillizcloud"));
    expect(idsOf(scoped)).toEqual(expectedZilliz(zillizSeed, { env: "dev", owner: "vectors" }, { region: "aws-us-west-2", projectId: "proj-a" }));
    expect(scoped.length).toBeGreaterThan(3);

    const all = await findClustersWith({ cloud: "zillizcloud", labels: { env: "dev" }, includeIneligible: true }, context("zillizcloud"));
    expect(idsOf(all)).toEqual(expectedZilliz(zillizSeed, { env: "dev" }, { all: true }));
    expect(all.filter((c) => !c.eligible).map((c) => c.clusterId.slice(0, 4)).sort()).toEqual(expect.arrayContaining(["in03", "in05"]));

    const prefixed = await findClustersWith({ cloud: "zillizcloud", namePrefix: "search-", projectId: "proj-b" }, context("zillizcloud"));
    expect(prefixed.every((c) => c.name.startsWith("search-") && c.projectId === "proj-b")).toBe(true);
  });

  it("a failed page fails the whole call with the cloud's code and RequestId; nothing partial comes back", async () => {
    emulator.faults.push({ cloud: "tencentcloud", action: "DescribeClusters", skip: 2, fault: { kind: "error", code: "UnauthorizedOperation.PermissionDenied", message: "CAM denied" } });
    const failure = await findClustersWith({ cloud: "tencentcloud", region: "ap-guangzhou", tags: { env: "dev" } }, context("tencentcloud")).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "UnauthorizedOperation.PermissionDenied", requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(String(failure)).toMatch(/DescribeClusters failed: \[UnauthorizedOperation\.PermissionDenied\] CAM denied.*RequestId/);

    emulator.faults.push({ cloud: "zillizcloud", action: "list", skip: 1, fault: { kind: "error", code: "96016" } });
    await expect(findClustersWith({ cloud: "zillizcloud", labels: { env: "dev" } }, context("zillizcloud"))).rejects.toMatchObject({
      code: "96016",
      requestId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it("a list that does not finish within timeoutSeconds fails with DeadlineExceeded", async () => {
    emulator.faults.push({ cloud: "zillizcloud", action: "list", skip: 1, fault: { kind: "hang", ms: 5000 } });
    const started = Date.now();
    await expect(findClustersWith({ cloud: "zillizcloud", labels: { env: "dev" }, timeoutSeconds: 0.5 }, context("zillizcloud"))).rejects.toMatchObject({
      code: "DeadlineExceeded",
      message: expect.stringMatching(/no complete cluster list from zillizcloud within timeoutSeconds \(0\.5 s\)/),
    });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("missing credentials fail before any call, naming the config key and the environment variable", async () => {
    const calls = emulator.log.count();
    const tencent = await findClustersWith({ cloud: "tencentcloud", region: "ap-guangzhou", endpoint: emulator.url }, { config: {}, env: {} }).catch((e: unknown) => e);
    expect(tencent).toBeInstanceOf(ConfigurationError);
    expect(String((tencent as Error).message)).toMatch(/^tencentcloud:secretId: .*TENCENTCLOUD_SECRET_ID/);
    const zilliz = await findClustersWith({ cloud: "zillizcloud", endpoint: emulator.url }, { config: {}, env: {} }).catch((e: unknown) => e);
    expect(zilliz).toBeInstanceOf(ConfigurationError);
    expect(String((zilliz as Error).message)).toMatch(/zillizcloud:apiKey.*ZILLIZCLOUD_API_KEY/s);
    expect(emulator.log.count()).toBe(calls);
  });

  it("findClusters reads credentials and the endpoint from stack config, in the program's process", async () => {
    pulumi.runtime.setAllConfig(
      {
        "tencentcloud:secretId": DEMO_TENCENT_CREDENTIALS.secretId,
        "tencentcloud:secretKey": DEMO_TENCENT_CREDENTIALS.secretKey,
        "tencentcloud:endpoint": emulator.url,
      },
      ["tencentcloud:secretKey"],
    );
    const dev = await findClusters({ cloud: "tencentcloud", region: "ap-guangzhou", tags: { env: "dev" } });
    expect(idsOf(dev)).toEqual(expectedTencent(tencentSeed, "ap-guangzhou", { env: "dev" }));
  });
});

describe("1,000 clusters per cloud", () => {
  let emulator: Emulator;
  const tencent = Array.from({ length: 1000 }, (_, i): TencentClusterSeed => ({ clusterId: `cynosdbmysql-b${pad(i)}`, region: "ap-guangzhou", tags: { env: "dev" } }));
  const zilliz = Array.from({ length: 1000 }, (_, i): ZillizSeedCluster => ({ clusterId: `in01-b${pad(i)}`, regionId: "aws-us-west-2", plan: "Standard", labels: { env: "dev" } }));

  beforeAll(async () => {
    emulator = await startEmulator({ seeds: { tencentcloud: { clusters: tencent }, zillizcloud: { clusters: zilliz } } });
  });
  afterAll(() => emulator?.stop());

  it("are listed at ceil(N/100) calls per cloud, with zero refusals even when listings overlap", async () => {
    const tencentContext = { config: { endpoint: emulator.url, secretId: DEMO_TENCENT_CREDENTIALS.secretId, secretKey: DEMO_TENCENT_CREDENTIALS.secretKey }, env: {} };
    const zillizContext = { config: { endpoint: emulator.url, apiKey: DEMO_ZILLIZ_API_KEY }, env: {} };
    const one = await findClustersWith({ cloud: "tencentcloud", region: "ap-guangzhou", tags: { env: "dev" } }, tencentContext);
    expect(one).toHaveLength(1000);
    expect(emulator.log.count({ action: "DescribeClusters" })).toBe(10);
    const other = await findClustersWith({ cloud: "zillizcloud", labels: { env: "dev" } }, zillizContext);
    expect(other).toHaveLength(1000);
    expect(emulator.log.count({ action: "list" })).toBe(10);

    // Three Zilliz listings at once ask for 30 pages, over the 20 per second the control plane allows
    // per key and endpoint: the process-wide limiter spaces them out rather than letting any be refused.
    emulator.log.clear();
    const runs = await Promise.all([
      findClustersWith({ cloud: "zillizcloud", labels: { env: "dev" } }, zillizContext),
      findClustersWith({ cloud: "zillizcloud", labels: { env: "dev" } }, zillizContext),
      findClustersWith({ cloud: "zillizcloud", labels: { env: "dev" } }, zillizContext),
      findClustersWith({ cloud: "tencentcloud", region: "ap-guangzhou", tags: { env: "dev" } }, tencentContext),
    ]);
    expect(runs.map((r) => r.length)).toEqual([1000, 1000, 1000, 1000]);
    expect(emulator.log.count({ action: "list" })).toBe(30);
    expect(emulator.log.count({ action: "DescribeClusters" })).toBe(10);
    expect(emulator.log.entries.filter((e) => e.outcome !== "ok")).toEqual([]);
    // The limiter really was needed: some second held more than 20 list calls' worth of demand.
    const times = emulator.log.find({ action: "list" }).map((e) => e.at);
    expect(times[times.length - 1] - times[0]).toBeGreaterThanOrEqual(1000);
  }, 60_000);
});
