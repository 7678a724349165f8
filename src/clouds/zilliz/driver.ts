import { CloudApiError } from "../../core/errors";
import type { CloudDriver, ClusterSnapshot, Operation, WriteOptions, WriteReceipt } from "../../core/power";
import { MAX_PAGE_SIZE, ZillizClient, type ZillizClientOptions } from "./client";
import { resolveZillizConfig, scopeOf, validateClusterId, type ZillizEndpointSettings } from "./config";
import { looksLikeStateConflict } from "./responses";
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

/** Stops a runaway pager if a server ignores currentPage: 1000 pages of 100 is far beyond any account. */
const MAX_PAGES = 1000;

export function buildZillizDriver(settings: ZillizDriverSettings): CloudDriver {
  const config = resolveZillizConfig(settings);
  const client = new ZillizClient(config, settings);
  const conflictCodes = new Set(settings.stateConflictCodes ?? []);
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(5, Math.floor(settings.pageSize ?? MAX_PAGE_SIZE)));

  return {
    cloud: "zillizcloud",
    scope: scopeOf(config),
    // One describeMany call pages through the whole account anyway, so a large batch costs no more.
    maxBatch: 500,

    async describe(clusterId: string, signal?: AbortSignal): Promise<ClusterSnapshot> {
      const { data, requestId } = await client.describe(clusterId, signal);
      return snapshotOf(data, requestId);
    },

    async describeMany(clusterIds: string[], signal?: AbortSignal): Promise<Map<string, ClusterSnapshot>> {
      for (const id of clusterIds) validateClusterId(id);
      const wanted = new Set(clusterIds);
      const found = new Map<string, ClusterSnapshot>();
      if (wanted.size === 0) return found;
      let seen = 0;
      for (let page = 1; page <= MAX_PAGES; page++) {
        const { data, requestId } = await client.listPage(page, pageSize, signal);
        for (const cluster of data.clusters) {
          if (wanted.has(cluster.clusterId)) found.set(cluster.clusterId, snapshotOf(cluster, requestId));
        }
        seen += data.clusters.length;
        if (found.size === wanted.size) break;
        if (data.clusters.length < pageSize) break;
        // `count` is the account total in the docs' example; when it says we have seen all, stop.
        if (data.count !== undefined && data.count > data.clusters.length && seen >= data.count) break;
      }
      return found;
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
