import { CloudApiError, ClusterNotFoundError } from "../../core/errors";
import { listComplete } from "../../core/listing";
import { pageProgress } from "../../core/paging";
import type {
  AsyncOperationStatus,
  CloudDriver,
  ClusterSnapshot,
  ListedCluster,
  Operation,
  SettingsReading,
  SettingsReceipt,
  SettingsValues,
  WriteOptions,
  WriteReceipt,
} from "../../core/power";
import { CynosdbClient } from "./client";
import { validateClusterId } from "./config";
import { snapshotFromFields } from "./status";
import { strategyChange, strategyValues } from "./strategy";

/** DescribeClusters returns at most 100 clusters per page. */
export const DESCRIBE_CLUSTERS_MAX_LIMIT = 100;
/** Pages one filtered DescribeClusters may take (its filter names at most 100 ids: one page). */
export const DESCRIBE_CLUSTERS_MAX_PAGES = 3;
/** Pages one unfiltered list may take: 10,000 clusters in one region is far beyond any account. */
export const LIST_MAX_PAGES = 100;

const NOT_FOUND_CODES = new Set(["InvalidParameterValue.ClusterNotFound", "ResourceNotFound.ClusterNotFoundError"]);
const STATE_CONFLICT_CODES = new Set(["OperationDenied.ServerlessClusterStatusDenied", "OperationDenied.InstanceStatusDeniedError"]);
/** DescribeFlow cannot say anything about this flow: its record is gone (retention is undocumented) or unknown. */
const FLOW_NOT_FOUND_CODES = new Set(["InvalidParameterValue.FlowNotFound", "FailedOperation.FlowNotFoundError"]);

export function isNotFoundCode(code: string): boolean {
  return NOT_FOUND_CODES.has(code);
}

export class TencentDriver implements CloudDriver {
  readonly cloud = "tencentcloud" as const;
  readonly maxBatch = DESCRIBE_CLUSTERS_MAX_LIMIT;
  /** Set once DescribeFlow is refused by CAM: the job status is a nicety, the cluster reads are the truth. */
  private flowStatusDenied = false;

  constructor(
    private readonly client: CynosdbClient,
    readonly scope: string,
  ) {}

  async describe(clusterId: string, signal?: AbortSignal): Promise<ClusterSnapshot> {
    const id = validateClusterId(clusterId);
    const res = await this.notFoundAware(id, () => this.client.describeClusterDetail(id, signal));
    return snapshotFromFields(id, res.Detail, res.RequestId);
  }

  /**
   * Batched read for the status watcher. DescribeClusters documents ServerlessStatus as only
   * resume | pause (UNCONFIRMED whether it shows pausing/resuming): both are mapped as read, and
   * the engine's grace reads plus DescribeFlow cover a list that lags behind a transition.
   */
  async describeMany(clusterIds: string[], signal?: AbortSignal): Promise<Map<string, ClusterSnapshot>> {
    const ids = [...new Set(clusterIds.map(validateClusterId))];
    const found = new Map<string, ClusterSnapshot>();
    for (let start = 0; start < ids.length; start += this.maxBatch) {
      const batch = ids.slice(start, start + this.maxBatch);
      const wanted = new Set(batch);
      const seen = new Set<string>();
      // The filter names at most maxBatch ids, so one page should hold them all. TotalCount is the
      // server's word, not a loop bound: a server that over-reports it while repeating a page
      // would otherwise be paged forever. Ids still missing are confirmed one by one by the caller.
      for (let offset = 0, page = 0; page < DESCRIBE_CLUSTERS_MAX_PAGES; page++) {
        const res = await this.client.describeClusters(batch, { limit: this.maxBatch, offset }, signal);
        const set = res.ClusterSet ?? [];
        const fresh = pageProgress(set.map((c) => c.ClusterId), seen);
        for (const cluster of set) {
          // DescribeClusters documents ServerlessStatus as resume | pause only: it may lag a transition.
          if (wanted.has(cluster.ClusterId)) found.set(cluster.ClusterId, { ...snapshotFromFields(cluster.ClusterId, cluster, res.RequestId), listView: true });
        }
        offset += set.length;
        if (fresh === 0 || batch.every((id) => found.has(id)) || offset >= res.TotalCount) break;
      }
    }
    return found;
  }

  /**
   * Every MySQL cluster of the region with its tags, 100 per DescribeClusters page (on the 1000/s
   * lane), to the end of the list or not at all.
   */
  async listClusters(signal?: AbortSignal): Promise<ListedCluster[]> {
    const region = this.client.region;
    const limit = DESCRIBE_CLUSTERS_MAX_LIMIT;
    return listComplete(
      async (index, pageSignal) => {
        const res = await this.client.listClusters({ limit, offset: index * limit }, pageSignal);
        return { items: (res.ClusterSet ?? []).map((cluster) => listedCluster(cluster, region, res.RequestId)), total: res.TotalCount };
      },
      (listed) => listed.snapshot.clusterId,
      { pageSize: limit, maxPages: LIST_MAX_PAGES, what: `tencentcloud DescribeClusters in ${region}`, signal },
    );
  }

  async write(operation: Operation, clusterId: string, options: WriteOptions, signal?: AbortSignal): Promise<WriteReceipt> {
    const id = validateClusterId(clusterId);
    // Unset means ForcePause 0, as in the provider's defaults: never drop user connections unless
    // asked to (the API's own default, 1, would). Always sent explicitly.
    const res = await this.notFoundAware(id, () =>
      operation === "pause" ? this.client.pauseServerless(id, options.forcePause === true, signal) : this.client.resumeServerless(id, signal),
    );
    return { operation, requestId: res.RequestId, flowId: res.FlowId };
  }

  /**
   * DescribeFlow: 0 succeeded, 1 failed, 2 running. A flow the API no longer knows (or may not be
   * asked about) is reported as "succeeded": neutral for the engine, which then trusts the
   * cluster's own status and its bounded grace reads. "running" would be wrong here: it would keep
   * resetting the grace reads, so a write that never took would only be noticed at the deadline.
   */
  async operationStatus(receipt: WriteReceipt, signal?: AbortSignal): Promise<AsyncOperationStatus> {
    if (receipt.flowId === undefined || this.flowStatusDenied) return "succeeded";
    try {
      const res = await this.client.describeFlow(receipt.flowId, signal);
      if (res.Status === 1) return "failed";
      if (res.Status === 2) return "running";
      return "succeeded";
    } catch (error) {
      if (error instanceof CloudApiError && FLOW_NOT_FOUND_CODES.has(error.code)) return "succeeded";
      if (error instanceof CloudApiError && /^(UnauthorizedOperation|AuthFailure\.UnauthorizedOperation)/.test(error.code)) {
        this.flowStatusDenied = true;
        return "succeeded";
      }
      throw error;
    }
  }

  isStateConflict(error: unknown): boolean {
    return error instanceof CloudApiError && STATE_CONFLICT_CODES.has(error.code);
  }

  /** The auto-pause policy: DescribeServerlessStrategy. */
  async readSettings(clusterId: string, signal?: AbortSignal): Promise<SettingsReading> {
    const id = validateClusterId(clusterId);
    const res = await this.notFoundAware(id, () => this.client.describeServerlessStrategy(id, signal));
    return { values: strategyValues(res), requestId: res.RequestId };
  }

  /** ModifyServerlessStrategy with the changed policy fields only. */
  async writeSettings(clusterId: string, changes: SettingsValues, signal?: AbortSignal): Promise<SettingsReceipt> {
    const id = validateClusterId(clusterId);
    const change = strategyChange(changes);
    const res = await this.notFoundAware(id, () => this.client.modifyServerlessStrategy(id, change, signal));
    const taskId = res.TaskId ?? res.FlowId ?? undefined;
    return { requestId: res.RequestId, ...(taskId !== undefined && { taskId }) };
  }

  private async notFoundAware<T>(clusterId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof CloudApiError && isNotFoundCode(error.code)) {
        throw new ClusterNotFoundError({
          cloud: "tencentcloud",
          code: error.code,
          message: `${error.cloudMessage || "cluster not found"} (cluster ${clusterId}; check the cluster id, the region and the account)`,
          action: error.action,
          requestId: error.requestId,
          httpStatus: error.httpStatus,
          clusterId,
        });
      }
      throw error;
    }
  }
}

/** A DescribeClusters item as the selector sees it. */
export function listedCluster(
  cluster: Parameters<typeof snapshotFromFields>[1] & {
    ClusterId: string;
    ClusterName?: string | null;
    Region?: string | null;
    ResourceTags?: ReadonlyArray<{ TagKey: string; TagValue?: string | null }> | null;
  },
  region: string,
  requestId?: string,
): ListedCluster {
  // fromEntries defines own properties: a tag named "__proto__" stays a tag.
  const pairs = Object.fromEntries((cluster.ResourceTags ?? []).map((tag) => [tag.TagKey, tag.TagValue ?? ""]));
  return {
    snapshot: snapshotFromFields(cluster.ClusterId, cluster, requestId),
    name: cluster.ClusterName ?? "",
    region: cluster.Region || region,
    pairs,
  };
}
