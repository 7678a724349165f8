import { safeEndpoint } from "../core/http";
import type { CloudDriver, CloudName } from "../core/power";
import { createTencentDriver, type TencentDriverOptions } from "./tencent";
import {
  resolveEndpoint as resolveTencentEndpoint,
  validateClusterId as validateTencentClusterId,
  validateRegion as validateTencentRegion,
} from "./tencent/config";
import { createZillizDriver, type ZillizDriverOptions } from "./zilliz";
import { validateClusterId as validateZillizClusterId, validateRegion as validateZillizRegion } from "./zilliz/config";

/** Everything needed to build a driver for one cluster's account and location. */
export type DriverSettings =
  | ({ cloud: "tencentcloud" } & TencentDriverOptions)
  | ({ cloud: "zillizcloud" } & ZillizDriverOptions);

/** The one switch on cloud names in the package. */
export function createDriver(settings: DriverSettings): CloudDriver {
  switch (settings.cloud) {
    case "tencentcloud":
      return createTencentDriver(settings);
    case "zillizcloud":
      return createZillizDriver(settings);
  }
}

/**
 * What the provider's check() verifies before any API call, per cloud. Each rule is the cloud
 * folder's own, the one its driver applies, so preview and the driver never disagree. Every
 * validator throws ConfigurationError(field, fix).
 */
export interface CloudInputRules {
  validateRegion(region: unknown): string;
  validateClusterId(clusterId: unknown): string;
  /** Why this cloud needs a region with these options (completes "region is required …"), or undefined. */
  regionRequired(options: { apiVersion?: unknown }): string | undefined;
  /** Throws for an endpoint the driver would refuse. */
  validateEndpoint(endpoint: string): void;
}

export const CLOUD_INPUT_RULES: Record<CloudName, CloudInputRules> = {
  tencentcloud: {
    validateRegion: validateTencentRegion,
    validateClusterId: validateTencentClusterId,
    regionRequired: () => "for tencentcloud: the API Region of the cluster, e.g. ap-guangzhou.",
    // API 3.0 signs "/" only, so the driver refuses a path or query; the region plays no part here.
    validateEndpoint: (endpoint) => void resolveTencentEndpoint({ region: "ap-guangzhou", endpoint }, {}),
  },
  zillizcloud: {
    validateRegion: validateZillizRegion,
    validateClusterId: validateZillizClusterId,
    regionRequired: ({ apiVersion }) =>
      apiVersion === "v1" ? 'with apiVersion "v1": the v1 host name contains the region, e.g. aws-us-west-2.' : undefined,
    validateEndpoint: (endpoint) => void safeEndpoint(endpoint, "endpoint"),
  },
};

export type { CloudName };
