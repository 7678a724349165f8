import { createTencentDriver, type TencentDriverOptions } from "../../src/clouds/tencent";
import { createZillizDriver, type ZillizDriverOptions } from "../../src/clouds/zilliz";
import type { CloudDriver } from "../../src/core/power";

/** A driver built straight from one cloud's own options (tests that probe a driver's settings directly). */
export type DriverSettings = ({ cloud: "tencentcloud" } & TencentDriverOptions) | ({ cloud: "zillizcloud" } & ZillizDriverOptions);

export function createDriver(settings: DriverSettings): CloudDriver {
  return settings.cloud === "tencentcloud" ? createTencentDriver(settings) : createZillizDriver(settings);
}
