import type * as pulumi from "@pulumi/pulumi";

/**
 * A provider that does nothing: the host-cost baseline. Driving it with the same Check + Create
 * burst as the fleet shows what the dynamic-provider host costs before any real provider work.
 */
export const trivialProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return { inputs: news, failures: [] };
  },
  async create(inputs) {
    return { id: String(inputs.clusterId), outs: inputs };
  },
};
