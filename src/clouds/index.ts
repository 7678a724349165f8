import type { CloudDriver, CloudName } from "../core/power";
import { createTencentDriver, type TencentDriverOptions } from "./tencent";
import { createZillizDriver, type ZillizDriverOptions } from "./zilliz";

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

export type { CloudName };
