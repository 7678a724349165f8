import type * as pulumi from "@pulumi/pulumi";
import { CLOUDS } from "../../src/clouds";
import { DEFAULT_WAIT_POLICY, transition } from "../../src/core/transition";
import { statusReaderFor } from "../../src/core/watcher";

/**
 * This package's real implementation captured the documented way (a provider object in the
 * program whose methods call the code directly). The benchmark only tries to serialize it, to
 * show what happens: the closure serializer follows the drivers into zod and gives up.
 */
export const documentedFullProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    const driver = CLOUDS.require(inputs.cloud).createDriver({ region: inputs.region, endpoint: inputs.endpoint, config: {}, options: {}, env: process.env });
    const result = await transition(driver, inputs.clusterId, inputs.powerState, {
      wait: true,
      deadline: Date.now() + 1_800_000,
      policy: DEFAULT_WAIT_POLICY,
      read: statusReaderFor(driver),
    });
    return { id: inputs.clusterId, outs: { ...inputs, observedState: result.snapshot.power, rawStatus: result.snapshot.rawStatus } };
  },
};
