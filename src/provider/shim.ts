import type * as pulumi from "@pulumi/pulumi";

/**
 * The provider object every ClusterPowerState serializes into its `__provider` input (SST's
 * rpc.Provider pattern). Pulumi stores that text in state and runs it in the dynamic-provider
 * host, so it is kept to a few lines that capture nothing: each method loads the package's
 * implementation at run time. That keeps `__provider` small, secret-free and byte-identical
 * across builds, and lets read/delete on old state run today's code.
 *
 * The host runs in the program's directory. Resolving from there finds the package in that
 * program's node_modules, or the package itself through its "exports" map when the program lives
 * inside the package (this repository's root program and examples).
 */
function implementation(): Required<pulumi.dynamic.ResourceProvider> {
  return require("node:module").createRequire(`${process.cwd()}/`)("pulumi-cluster-power/provider");
}

export const providerShim: pulumi.dynamic.ResourceProvider = {
  configure: (req) => implementation().configure(req),
  check: (olds, news) => implementation().check(olds, news),
  diff: (id, olds, news) => implementation().diff(id, olds, news),
  create: (inputs) => implementation().create(inputs),
  read: (id, props) => implementation().read(id, props),
  update: (id, olds, news) => implementation().update(id, olds, news),
  delete: (id, props) => implementation().delete(id, props),
};
