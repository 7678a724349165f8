import type { CloudDriver, ClusterSnapshot, TargetPowerState } from "../../src/core/power";
import { operationFor, transitionalStateOf } from "../../src/core/power";
import { sleep } from "../../src/core/retry";
import { terraformGap } from "./schedules";

/**
 * Terraform's way of pausing/resuming one cluster, replayed through our drivers so both sides hit
 * the same emulator with the same HTTP stack (research: tencent.md §5.3, zilliz.md §4):
 *
 * - Tencent `SwitchServerlessCluster`: DescribeClusters + DescribeClusterDetail, write unless
 *   already there, then poll both calls on plugin-sdk's schedule (at once, then 0.5 s doubling to
 *   10 s) until the detail shows anything but the old steady state or the transitional one; up to
 *   5 reads may show the old state before it gives up.
 * - Zilliz `handleStatusUpdate`: suspend/resume from the refreshed state (no read first), then
 *   DescribeCluster on the same schedule until the status equals the target.
 */
export async function terraformTransition(driver: CloudDriver, clusterId: string, target: TargetPowerState, scale: number): Promise<ClusterSnapshot> {
  const tencent = driver.cloud === "tencentcloud";
  const read = async (): Promise<ClusterSnapshot> => {
    if (tencent) await driver.describeMany!([clusterId]);
    return driver.describe(clusterId);
  };
  if (tencent) {
    const first = await read();
    if (first.power === target) return first;
  }
  await driver.write(operationFor(target), clusterId, {});
  const oldState = target === "paused" ? "running" : "paused";
  /** Reads since the write (or since the last transitional one) that still showed the old state. */
  let staleReads = 0;
  for (let poll = 0; ; poll++) {
    await sleep(terraformGap(poll, scale));
    const snapshot = await read();
    if (snapshot.power === target) return snapshot;
    if (tencent) {
      if (snapshot.power === transitionalStateOf(target)) {
        staleReads = 0;
        continue;
      }
      if (snapshot.power === oldState && ++staleReads <= 5) continue;
      if (snapshot.power === oldState) throw new Error(`api action invoked but status still ${snapshot.rawStatus}`);
      return snapshot;
    }
    if (poll > 100_000) throw new Error("terraform replay never converged");
  }
}
