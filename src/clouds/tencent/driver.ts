import { CloudApiError, ClusterNotFoundError } from "../../core/errors";
import type { AsyncOperationStatus, CloudDriver, ClusterSnapshot, Operation, WriteOptions, WriteReceipt } from "../../core/power";
import { CynosdbClient } from "./client";
import { validateClusterId } from "./config";
import { snapshotFromFields } from "./status";

/** DescribeClusters returns at most 100 clusters per page. */
export const DESCRIBE_CLUSTERS_MAX_LIMIT = 100;

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
      for (let offset = 0; ; ) {
        const res = await this.client.describeClusters(batch, { limit: this.maxBatch, offset }, signal);
        const set = res.ClusterSet ?? [];
        for (const cluster of set) {
          if (wanted.has(cluster.ClusterId)) found.set(cluster.ClusterId, snapshotFromFields(cluster.ClusterId, cluster, res.RequestId));
        }
        offset += set.length;
        if (set.length === 0 || offset >= res.TotalCount) break;
      }
    }
    return found;
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
