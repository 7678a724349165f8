// PLACEHOLDER: replaced by the process-wide status watcher (issue 6).
import type { CloudDriver, ClusterSnapshot } from "./power";

/** The reader a transition uses while it waits. The watcher batches and paces these per driver scope. */
export function statusReaderFor(driver: CloudDriver): (clusterId: string, signal: AbortSignal) => Promise<ClusterSnapshot> {
  return (clusterId, signal) => driver.describe(clusterId, signal);
}
