import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CLOUDS } from "../src/clouds";
import { parsePairs, resolveListArgs } from "../src/cli/list";
import { CloudApiError, ConfigurationError, IncompleteListError, UsageError } from "../src/core/errors";
import { judgePage, listComplete, type ListPage } from "../src/core/listing";
import type { ListedCluster } from "../src/core/power";
import { exclusionOf, isOptedOut, selectClusters, type Selector } from "../src/core/selector";
import { foundCluster, planFind } from "../src/selection";

/** The pure parts of selecting clusters: complete paging, the selector rules, the option checks. */

const listed = (id: string, over: Partial<ListedCluster> & { unsupported?: string } = {}): ListedCluster => ({
  snapshot: { clusterId: id, power: "running", rawStatus: "RUNNING", ...(over.unsupported && { unsupportedReason: over.unsupported }) },
  name: over.name ?? id,
  region: over.region ?? "r-1",
  pairs: over.pairs ?? {},
  ...(over.projectId !== undefined && { projectId: over.projectId }),
});
const selector = (over: Partial<Selector> = {}): Selector => ({ pairs: {}, optOutTag: "cluster-power", includeIneligible: false, ...over });

/** A server paging `all` as the clouds do: page `index` holds items [index*size, (index+1)*size). */
function pager(all: readonly string[], size: number, options: { total?: boolean } = {}) {
  const calls: number[] = [];
  const fetch = async (index: number): Promise<ListPage<string>> => {
    calls.push(index);
    return { items: all.slice(index * size, (index + 1) * size), ...(options.total !== false && { total: all.length }) };
  };
  return { fetch, calls };
}
const ids = (n: number) => Array.from({ length: n }, (_, i) => `c-${String(i).padStart(5, "0")}`);
const opts = { pageSize: 100, maxPages: 100, what: "test list" };

describe("listComplete: the whole list or nothing", () => {
  it("reads ceil(N/100) pages when the server reports the total (one call for an empty list)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1200 }), async (n) => {
        const { fetch, calls } = pager(ids(n), 100);
        expect(await listComplete(fetch, (id) => id, opts)).toEqual(ids(n));
        expect(calls.length).toBe(Math.max(1, Math.ceil(n / 100)));
      }),
      { numRuns: 60 },
    );
  });

  it("without a total, a short page ends the list (one extra call only when N is a multiple of the page)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 650 }), fc.integer({ min: 5, max: 100 }), async (n, size) => {
        const { fetch, calls } = pager(ids(n), size, { total: false });
        expect(await listComplete(fetch, (id) => id, { ...opts, pageSize: size, maxPages: 1000 })).toEqual(ids(n));
        expect(calls.length).toBe(Math.floor(n / size) + 1);
      }),
      { numRuns: 60 },
    );
  });

  it("starts over when the list changes under the pager, and gives up after three walks", async () => {
    let walk = 0;
    const all = ids(250);
    const fetch = async (index: number): Promise<ListPage<string>> => {
      if (index === 0) walk++;
      // Walk 1: a cluster is deleted after page 1 (the total drops); walk 2 is stable.
      const now = walk === 1 && index > 0 ? all.filter((id) => id !== "c-00003") : all;
      return { items: now.slice(index * 100, (index + 1) * 100), total: now.length };
    };
    expect(await listComplete(fetch, (id) => id, opts)).toEqual(all);
    expect(walk).toBe(2);

    let total = 300;
    const moving = async (index: number): Promise<ListPage<string>> => ({ items: ids(total++).slice(index * 100, (index + 1) * 100), total });
    await expect(listComplete(moving, (id) => id, opts)).rejects.toThrow(IncompleteListError);
    await expect(listComplete(moving, (id) => id, opts)).rejects.toThrow(/in 3 attempts .*total changed.*Nothing was selected/);
  });

  it("fails on a repeated page, past the page cap, and with the failing page's own error", async () => {
    const repeat = async (): Promise<ListPage<string>> => ({ items: ids(100) });
    await expect(listComplete(repeat, (id) => id, opts)).rejects.toMatchObject({ code: "IncompleteList", message: expect.stringMatching(/page 2 repeated/) });
    await expect(listComplete(pager(ids(1000), 100).fetch, (id) => id, { ...opts, maxPages: 5 })).rejects.toThrow(/more than 500 clusters/);

    const denied = new CloudApiError({ cloud: "x", code: "UnauthorizedOperation", message: "no", action: "List", requestId: "req-3" });
    const breaks = async (index: number): Promise<ListPage<string>> => {
      if (index === 2) throw denied;
      return { items: ids(1000).slice(index * 100, (index + 1) * 100), total: 1000 };
    };
    await expect(listComplete(breaks, (id) => id, opts)).rejects.toBe(denied);
  });

  it("a short list that ends below the total it reported is not complete", () => {
    expect(judgePage({ pages: 2, seen: 150 }, { count: 50, fresh: 50, total: 160 }, opts)).toMatchObject({ next: "restart" });
    expect(judgePage({ pages: 2, seen: 150 }, { count: 50, fresh: 50, total: 150 }, opts)).toEqual({ next: "done" });
    expect(judgePage({ pages: 1, seen: 100 }, { count: 100, fresh: 100 }, opts)).toEqual({ next: "more" });
  });

  it("stops when its signal aborts", async () => {
    const stop = new AbortController();
    const fetch = async (index: number): Promise<ListPage<string>> => {
      if (index === 1) stop.abort(new Error("deadline"));
      return { items: ids(300).slice(index * 100, (index + 1) * 100), total: 300 };
    };
    await expect(listComplete(fetch, (id) => id, { ...opts, signal: stop.signal })).rejects.toThrow("deadline");
  });
});

describe("the selector", () => {
  it("needs every pair, exactly (keys and values case-sensitive)", () => {
    const cluster = listed("a", { pairs: { env: "dev", team: "search" } });
    expect(exclusionOf(cluster, selector({ pairs: { env: "dev" } }))).toBeUndefined();
    expect(exclusionOf(cluster, selector({ pairs: { env: "dev", team: "search" } }))).toBeUndefined();
    expect(exclusionOf(cluster, selector({ pairs: { env: "dev", team: "ads" } }))).toBe("pairs");
    expect(exclusionOf(cluster, selector({ pairs: { env: "Dev" } }))).toBe("pairs");
    expect(exclusionOf(cluster, selector({ pairs: { Env: "dev" } }))).toBe("pairs");
    expect(exclusionOf(cluster, selector({ pairs: { env: "" } }))).toBe("pairs");
    expect(exclusionOf(listed("b", { pairs: { env: "" } }), selector({ pairs: { env: "" } }))).toBeUndefined();
    // An inherited property is not a tag.
    expect(exclusionOf(listed("c"), selector({ pairs: { toString: "x" } }))).toBe("pairs");
  });

  it("applies region, name prefix and project", () => {
    const cluster = listed("a", { name: "dev-orders", region: "ap-guangzhou", projectId: "proj-1" });
    expect(exclusionOf(cluster, selector({ region: "ap-shanghai" }))).toBe("region");
    expect(exclusionOf(cluster, selector({ namePrefix: "dev-" }))).toBeUndefined();
    expect(exclusionOf(cluster, selector({ namePrefix: "Dev-" }))).toBe("name");
    expect(exclusionOf(cluster, selector({ projectId: "proj-2" }))).toBe("project");
    expect(exclusionOf(listed("b"), selector({ projectId: "proj-1" }))).toBe("project");
  });

  it('never selects an opted-out cluster (value "off", any case, trimmed), not even with includeIneligible', () => {
    for (const value of ["off", "OFF", " Off "]) expect(isOptedOut({ "cluster-power": value }, "cluster-power")).toBe(true);
    for (const value of ["on", "offline", ""]) expect(isOptedOut({ "cluster-power": value }, "cluster-power")).toBe(false);
    const cluster = listed("a", { pairs: { env: "dev", schedule: "off" } });
    expect(exclusionOf(cluster, selector({ pairs: { env: "dev" } }))).toBeUndefined();
    expect(exclusionOf(cluster, selector({ pairs: { env: "dev" }, optOutTag: "schedule", includeIneligible: true }))).toBe("opted-out");
  });

  it("leaves out ineligible clusters unless asked, then marks them; drops gone ones; orders by id", () => {
    const all = [listed("c"), listed("a", { unsupported: "a Free plan" }), listed("b"), listed("d")];
    const gone = (c: ListedCluster) => c.snapshot.clusterId === "d";
    expect(selectClusters(all, selector(), gone).map((s) => s.cluster.snapshot.clusterId)).toEqual(["b", "c"]);
    expect(selectClusters(all, selector({ includeIneligible: true }), gone).map((s) => [s.cluster.snapshot.clusterId, s.eligible, s.reason])).toEqual([
      ["a", false, "a Free plan"],
      ["b", true, undefined],
      ["c", true, undefined],
    ]);
  });

  it("reports each cloud's pairs under its own name, keys without a value left out", () => {
    for (const cloud of CLOUDS.all().filter((c) => c.listing)) {
      const [selected] = selectClusters([listed("a", { pairs: { env: "dev" }, unsupported: "why" })], selector({ includeIneligible: true }), () => false);
      const found = foundCluster(cloud, cloud.listing!, selected);
      expect(found).toEqual({
        cloud: cloud.name,
        clusterId: "a",
        name: "a",
        region: "r-1",
        [cloud.listing!.pairs]: { env: "dev" },
        observedState: "running",
        rawStatus: "RUNNING",
        eligible: false,
        reason: "why",
      });
      expect(JSON.stringify(found)).not.toMatch(/null|undefined/);
    }
  });
});

describe("findClusters options are checked before any call", () => {
  const tencent = { cloud: "tencentcloud", region: "ap-guangzhou" };
  const refused = (raw: Record<string, unknown>) => {
    try {
      planFind(raw);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      return (error as Error).message;
    }
    throw new Error(`accepted ${JSON.stringify(raw)}`);
  };

  it("names the option and the fix", () => {
    expect(refused({ cloud: "nimbus" })).toMatch(/^cloud: "nimbus" is not a supported cloud/);
    expect(refused({ cloud: "tencentcloud" })).toMatch(/^region: is required for tencentcloud/);
    expect(refused({ ...tencent, labels: { env: "dev" } })).toMatch(/^labels: tencentcloud clusters carry tags, not labels; use tags/);
    expect(refused({ cloud: "zillizcloud", tags: { env: "dev" } })).toMatch(/^tags: zillizcloud clusters carry labels/);
    expect(refused({ ...tencent, projectId: "p" })).toMatch(/^projectId: tencentcloud clusters belong to no projects/);
    expect(refused({ ...tencent, tags: { env: 1 } })).toMatch(/^tags\.env: must be a string/);
    expect(refused({ ...tencent, tags: ["env=dev"] })).toMatch(/^tags: must be an object/);
    expect(refused({ ...tencent, forcePause: true })).toMatch(/^forcePause: is not a findClusters option for tencentcloud/);
    expect(refused({ ...tencent, optOutTag: " " })).toMatch(/^optOutTag: must name a tag key/);
    expect(refused({ ...tencent, timeoutSeconds: 0 })).toMatch(/^timeoutSeconds:/);
    expect(refused({ ...tencent, region: "guangzhou" })).toMatch(/^region:/);
    expect(refused({ ...tencent, endpoint: "http://example.com" })).toMatch(/refusing|loopback|https/i);
    expect(refused({ cloud: "zillizcloud", apiVersion: "v3" })).toMatch(/^apiVersion:/);
    expect(refused({ cloud: "zillizcloud", apiVersion: "v1" })).toMatch(/^region: is required with apiVersion "v1"/);
    expect(refused({ cloud: "zillizcloud", apiVersion: "v1", region: "aws-us-west-2", labels: { env: "dev" } })).toMatch(/^labels: the v1 API's cluster list reports no labels/);
  });

  it("plans the listing and the selection", () => {
    expect(planFind({ ...tencent, tags: { env: "dev" }, namePrefix: "dev-" }).selector).toEqual({
      region: "ap-guangzhou",
      pairs: { env: "dev" },
      namePrefix: "dev-",
      optOutTag: "cluster-power",
      includeIneligible: false,
    });
    const zilliz = planFind({ cloud: "zillizcloud", labels: { env: "dev" }, projectId: "proj-1", includeIneligible: true, apiVersion: "v2", timeoutSeconds: 60 });
    expect(zilliz).toMatchObject({ options: { apiVersion: "v2" }, timeoutSeconds: 60, selector: { projectId: "proj-1", includeIneligible: true } });
    expect(zilliz.region).toBeUndefined();
  });

  it("a cloud without listing says so", () => {
    const cloud = { ...CLOUDS.require("zillizcloud"), name: "listless", listing: undefined, inputs: {} };
    CLOUDS.register(cloud);
    expect(refused({ cloud: "listless" })).toMatch(/^cloud: listless cannot list its clusters/);
  });
});

describe("cluster-power list flags", () => {
  const env = { TENCENTCLOUD_SECRET_ID: "AKIDx", TENCENTCLOUD_SECRET_KEY: "k", ZILLIZCLOUD_API_KEY: "z" };
  const usage = (raw: Record<string, unknown>) => {
    try {
      resolveListArgs(raw, env);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    throw new Error(`accepted ${JSON.stringify(raw)}`);
  };

  it("parses key=value pairs", () => {
    expect(parsePairs("--tag", ["env=dev", "owner=a=b", "empty=", "env=dev"])).toEqual({ env: "dev", owner: "a=b", empty: "" });
    expect(() => parsePairs("--tag", ["env"])).toThrow(/--tag: "env" is not key=value/);
    expect(() => parsePairs("--tag", ["=dev"])).toThrow(/not key=value/);
    expect(() => parsePairs("--tag", ["env=dev", "env=prod"])).toThrow(/given twice with different values/);
  });

  it("resolves a selector, and refuses the other cloud's flags", () => {
    const args = resolveListArgs({ cloud: "tencentcloud", region: "ap-guangzhou", tag: ["env=dev"], namePrefix: "dev-", all: true }, env);
    expect(args.selector).toEqual({ region: "ap-guangzhou", pairs: { env: "dev" }, namePrefix: "dev-", optOutTag: "cluster-power", includeIneligible: true });
    expect(usage({ cloud: "tencentcloud", region: "ap-guangzhou", label: ["env=dev"] })).toMatch(/^--label: tencentcloud clusters carry tags; use --tag/);
    expect(usage({ cloud: "tencentcloud", region: "ap-guangzhou", projectId: "p" })).toMatch(/^--project-id:/);
    expect(usage({ cloud: "tencentcloud", region: "ap-guangzhou", apiVersion: "v1" })).toMatch(/^--api-version: applies to zillizcloud only/);
    expect(usage({ cloud: "zillizcloud", apiVersion: "v1", region: "aws-us-west-2", label: ["a=b"] })).toMatch(/^--label: the v1 API's cluster list reports no labels/);
    expect(usage({ cloud: "zillizcloud", label: ["a=b"], optOutTag: "" })).toMatch(/^--opt-out-tag:/);
    expect(() => resolveListArgs({ cloud: "zillizcloud" }, {})).toThrow(/ZILLIZCLOUD_API_KEY/);
  });
});
