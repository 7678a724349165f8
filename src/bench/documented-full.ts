import type * as pulumi from "@pulumi/pulumi";
import { createDriver } from "../clouds";
import { defaultWaitPolicy, transition } from "../core/transition";
import { statusReaderFor } from "../core/watcher";

/**
 * This package's real implementation captured the documented way (a provider object in the
 * program whose methods call the code directly). The benchmark only tries to serialize it, to
 * show what happens: the closure serializer follows the drivers into zod and gives up.
 */
export const documentedFullProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    const driver = createDriver({ cloud: inputs.cloud, region: inputs.region, endpoint: inputs.endpoint });
    const result = await transition(driver, inputs.clusterId, inputs.powerState, {
      wait: true,
      deadline: Date.now() + 1_800_000,
      policy: defaultWaitPolicy(),
      read: statusReaderFor(driver),
    });
    return { id: inputs.clusterId, outs: { ...inputs, observedState: result.snapshot.power, rawStatus: result.snapshot.rawStatus } };
  },
};
