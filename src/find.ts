import * as pulumi from "@pulumi/pulumi";
import { CLOUDS } from "./clouds";
import type { CloudFindClustersOptions } from "./clouds/args";
import { registerSecret } from "./core/errors";
import type { FoundCluster } from "./find-args";
import { findClustersWith } from "./selection";

/** findClusters options: one shape per cloud, picked by `cloud`. */
export type FindClustersOptions = CloudFindClustersOptions;

/**
 * A data source: the clusters of one cloud that carry the given tags or labels (whichever that
 * cloud's clusters carry), read from the cloud when the program runs, in preview too. Every page of the cloud's
 * cluster list is read (100 clusters per call, within its rate limit) before anything is
 * returned; a failed or incomplete list rejects, never resolving to part of the clusters.
 *
 * Credentials and endpoints come from the same places as the resource's: stack config
 * `<cloud>:<key>` (the keys the resource's provider reads), then the environment.
 *
 * A cluster that stops matching leaves the result, so a program that declares a resource per
 * result deletes that resource on the next `up`: with `onDelete: "leave"` (recommended) nothing
 * is called, with `"resume"` the cluster is woken.
 */
export function findClusters(options: FindClustersOptions): Promise<FoundCluster[]> {
  return findClustersWith(options as unknown as Record<string, unknown>, { config: stackConfigOf(options.cloud), env: process.env });
}

/** This cloud's provider config keys, read from the stack in the program's process. */
function stackConfigOf(cloudName: unknown): Record<string, string | undefined> {
  const cloud = typeof cloudName === "string" ? CLOUDS.get(cloudName) : undefined;
  if (!cloud) return {};
  const config = new pulumi.Config(cloud.name);
  const values: Record<string, string | undefined> = {};
  for (const { key, secret } of cloud.config) {
    const value = config.get(key);
    values[key] = value === undefined || value === "" ? undefined : value;
    if (secret) registerSecret(values[key]);
  }
  return values;
}
