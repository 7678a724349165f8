import { CloudApiError, ClusterNotFoundError } from "../../core/errors";
import { listComplete } from "../../core/listing";
import { pageProgress } from "../../core/paging";
import type { CloudDriver, ClusterSnapshot, ListedCluster, Operation, WriteOptions, WriteReceipt } from "../../core/power";
import { MAX_PAGE_SIZE, ZillizClient, type ZillizClientOptions } from "./client";
import { resolveZillizConfig, scopeOf, validateClusterId, type ZillizEndpointSettings } from "./config";
import { AMBIGUOUS_NOT_FOUND_CODES, looksLikeStateConflict, type ClusterData } from "./responses";
import { snapshotOf } from "./status";

/** The CloudDriver for Zilliz Cloud dedicated clusters; the transition algorithm stays in src/core/transition.ts. */

export interface ZillizDriverSettings extends ZillizEndpointSettings, ZillizClientOptions {
  /**
   * Codes that mean "not in a state for this suspend/resume" besides the built-in guess (HTTP or
   * code 400/409 with a message about the status). The live code is UNCONFIRMED; add it here once known.
   */
  stateConflictCodes?: string[];
  /** Clusters per list page for describeMany (1..100, default 100). */
  pageSize?: number;
}

/**
 * The most list pages one read walks: 50 pages of 100 clusters is far beyond any account, and a
 * cluster not reached is read on its own. A repeated or empty page ends the walk sooner.
 */
export const MAX_LIST_PAGES = 50;

/** Pages one complete list (listClusters) may take: 10,000 clusters is far beyond any account. */
export const LIST_MAX_PAGES = 100;

export interface ListWalk {
  clusters: Map<string, ClusterData & { requestId?: string }>;
  /** True when the walk reached the end of the list (not a page cap, not a broken pager). */
  complete: boolean;
}

export function buildZillizDriver(settings: ZillizDriverSettings): CloudDriver {
  const config = resolveZillizConfig(settings);
  const client = new ZillizClient(config, settings);
  const conflictCodes = new Set(settings.stateConflictCodes ?? []);
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(5, Math.floor(settings.pageSize ?? MAX_PAGE_SIZE)));

  /**
   * Walks the cluster list until `enough` says stop, the list ends, or a page brings nothing new.
   * `complete` is true only when the list was seen to its end.
   */
  const walk = async (signal: AbortSignal | undefined, enough: (found: ListWalk["clusters"]) => boolean): Promise<ListWalk> => {
    const clusters: ListWalk["clusters"] = new Map();
    const seen = new Set<string>();
    for (let page = 1; page <= MAX_LIST_PAGES; page++) {
      const { data, requestId } = await client.listPage(page, pageSize, signal);
      const fresh = pageProgress(data.clusters.map((c) => c.clusterId), seen);
      for (const cluster of data.clusters) clusters.set(cluster.clusterId, { ...cluster, requestId });
      // A short page is the last one; `count` (the account total in the docs' example) may say so sooner.
      // (A count no larger than the page might be the page's own size, so it ends nothing.)
      const ended = data.clusters.length < pageSize || (data.count !== undefined && data.count > data.clusters.length && seen.size >= data.count);
      if (ended) return { clusters, complete: true };
      // An empty or repeated full page: the server ignores currentPage; more pages bring nothing.
      if (fresh === 0 || enough(clusters)) return { clusters, complete: false };
    }
    return { clusters, complete: false };
  };

  return {
    cloud: "zillizcloud",
    scope: scopeOf(config),
    // One listing pages through the whole account whatever the number of ids, so one batch serves
    // a whole refresh: ceil(account / page size) calls, not one listing per few hundred ids.
    maxBatch: 100_000,

    async describe(clusterId: string, signal?: AbortSignal): Promise<ClusterSnapshot> {
      try {
        const { data, requestId } = await client.describe(clusterId, signal);
        return snapshotOf(data, requestId);
      } catch (error) {
        if (!(error instanceof CloudApiError) || !AMBIGUOUS_NOT_FOUND_CODES.has(error.code)) throw error;
        // "Not exist or you don't have permission": gone only if the whole list lacks it too.
        const list = await walk(signal, (found) => found.has(clusterId)).catch(() => undefined);
        if (!list?.complete || list.clusters.has(clusterId)) throw error;
        throw new ClusterNotFoundError({
          cloud: "zillizcloud",
          code: error.code,
          message: `${error.cloudMessage} (cluster ${clusterId} is not in this key's cluster list either)`,
          action: error.action,
          ...(error.requestId !== undefined && { requestId: error.requestId }),
          ...(error.httpStatus !== undefined && { httpStatus: error.httpStatus }),
          clusterId,
        });
      }
    },

    async describeMany(clusterIds: string[], signal?: AbortSignal): Promise<Map<string, ClusterSnapshot>> {
      for (const id of clusterIds) validateClusterId(id);
      const wanted = new Set(clusterIds);
      const found = new Map<string, ClusterSnapshot>();
      if (wanted.size === 0) return found;
      // Ids the walk does not reach are confirmed one by one by the status watcher.
      const list = await walk(signal, (clusters) => [...wanted].every((id) => clusters.has(id)));
      for (const id of wanted) {
        const cluster = list.clusters.get(id);
        if (cluster) found.set(id, snapshotOf(cluster, cluster.requestId));
      }
      return found;
    },

    /** Every cluster of the key's scope (v2) or of the region's host (v1), to the end of the list or not at all. */
    async listClusters(signal?: AbortSignal): Promise<ListedCluster[]> {
      return listComplete(
        async (index, pageSignal) => {
          const { data, requestId } = await client.listPage(index + 1, MAX_PAGE_SIZE, pageSignal);
          const items = data.clusters.map((cluster) => listedCluster(cluster, config.region, requestId));
          // `count` is the list's total in the docs' example; a count equal to the page's own
          // length might be either, so only a larger one is taken as the total.
          return { items, ...(data.count !== undefined && data.count > items.length && { total: data.count }) };
        },
        (listed) => listed.snapshot.clusterId,
        { pageSize: MAX_PAGE_SIZE, maxPages: LIST_MAX_PAGES, what: `zillizcloud ${config.apiVersion} list clusters${config.region ? ` (${config.region})` : ""}`, signal },
      );
    },

    async write(operation: Operation, clusterId: string, _options: WriteOptions, signal?: AbortSignal): Promise<WriteReceipt> {
      const { data, requestId } = await client.write(operation === "pause" ? "suspend" : "resume", clusterId, signal);
      const receipt: WriteReceipt = { operation, requestId: requestId ?? "unknown" };
      if (data.prompt !== undefined) receipt.prompt = data.prompt;
      return receipt;
    },

    isStateConflict(error: unknown): boolean {
      return (
        error instanceof CloudApiError &&
        error.cloud === "zillizcloud" &&
        (error.action === "suspend" || error.action === "resume") &&
        looksLikeStateConflict(error.code, error.httpStatus, error.cloudMessage, conflictCodes)
      );
    },
  };
}

/** A list item as the selector sees it. */
export function listedCluster(cluster: ClusterData, region: string | undefined, requestId?: string): ListedCluster {
  // fromEntries defines own properties: a label named "__proto__" stays a label.
  const pairs = Object.fromEntries(Object.entries(cluster.labels ?? {}).map(([key, value]) => [key, typeof value === "string" ? value : (JSON.stringify(value) ?? "")]));
  return {
    snapshot: snapshotOf(cluster, requestId),
    name: cluster.clusterName ?? "",
    region: cluster.regionId ?? region ?? "",
    pairs,
    ...(cluster.projectId !== undefined && { projectId: cluster.projectId }),
  };
}
