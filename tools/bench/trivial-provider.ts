import type * as pulumi from "@pulumi/pulumi";

/**
 * Providers that do nothing: the host-cost baselines. Driving them with the fleet's Check + Create
 * burst shows what the dynamic-provider host costs before any real provider work.
 */
export const trivialProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return { inputs: news, failures: [] };
  },
  async create(inputs) {
    return { id: String(inputs.clusterId), outs: inputs };
  },
};

/**
 * The fair baseline: each Create stays pending for `holdMs` (the bench gives resource i the
 * fleet's own schedule, i/20 s + T), so the host carries 300 open calls for as long as the real
 * run does.
 */
export const holdingProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return { inputs: news, failures: [] };
  },
  async create(inputs) {
    await new Promise((resolve) => setTimeout(resolve, Number(inputs.holdMs)));
    return { id: String(inputs.clusterId), outs: inputs };
  },
};

/**
 * The same, after loading this package's implementation (zod, undici, the drivers) without
 * calling it: what our code costs the host before it makes a single request. The require() runs
 * in the host, resolved from the program directory like the production `__provider`.
 */
export const loadedHoldingProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    require("pulumi-cluster-power/dist/provider/implementation.js");
    return { inputs: news, failures: [] };
  },
  async create(inputs) {
    await new Promise((resolve) => setTimeout(resolve, Number(inputs.holdMs)));
    return { id: String(inputs.clusterId), outs: inputs };
  },
};
