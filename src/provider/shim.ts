import { relative, sep } from "node:path";
import type * as pulumi from "@pulumi/pulumi";

/**
 * What Pulumi stores as `__provider` (twice per resource, and runs in the dynamic-provider host).
 * Two texts exist, and both are contracts with every state file ever written:
 *
 * - Installed from a program's node_modules (the production path), the provider is the
 *   implementation module itself, and the text is `require("pulumi-cluster-power/dist/provider/implementation.js")`
 *   (IMPLEMENTATION_EXPORT). The package's "exports" map must keep that subpath, and keep it after
 *   "./provider": the serializer maps a file back to the LAST export naming it, and that order
 *   makes the text the same whether or not the serializer can read our package.json.
 * - Anywhere else, `providerShim` below (SST's rpc.Provider pattern): seven one-line methods that
 *   load "pulumi-cluster-power/provider" at run time. The export "./provider" must stay.
 *
 * Either way the text captures no code of ours, no schema and no secret, so it is byte-identical
 * across builds, and read/delete on old state run the installed version's code.
 *
 * The host runs in the program's directory. Resolving from there finds the package in that
 * program's node_modules, or the package itself through its "exports" map when the program lives
 * inside the package (this repository's root program and examples).
 */
export const IMPLEMENTATION_EXPORT = "pulumi-cluster-power/dist/provider/implementation.js";

/**
 * The specifier Pulumi's closure serializer writes for a module loaded from `file` (a real path),
 * or undefined when it would copy the module by value (outside node_modules). Mirrors
 * captureModuleAsync in @pulumi/pulumi runtime/closure/createClosure.js: the path relative to the
 * working directory, cut after its first node_modules segment (its last one in a pnpm store).
 */
export function referenceSpecifier(file: string, cwd: string): string | undefined {
  const parts = relative(cwd, file).split(sep);
  const at = parts.includes(".pnpm") ? parts.lastIndexOf("node_modules") : parts.indexOf("node_modules");
  return at < 0 ? undefined : parts.slice(at + 1).join("/");
}

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
