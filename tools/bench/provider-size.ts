import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../../src/provider/shim";
import { documentedProvider } from "./documented-provider";
import { documentedFullProvider } from "./documented-full";
import type { InstalledProgram } from "./installed";

/**
 * Part 3: the `__provider` text each resource carries (twice: in its inputs and its outputs),
 * produced exactly as `new dynamic.Resource` does it: runtime.serializeFunction(() => provider,
 * { allowSecrets: true }), from compiled CommonJS.
 */

export interface ProviderSizes {
  /**
   * The production path: what a ClusterPowerState serializes when its program installed the
   * package in node_modules (tools/bench/installed.ts): the implementation module by reference.
   */
  oursBytes: number;
  oursText: string;
  /** The module path that text requires. */
  oursRequire: string;
  /** The fallback shim (this repository's own programs, npm link, workspaces). */
  shimBytes: number;
  /** The documented pattern, minimal Zilliz-only provider (see documented-provider.ts). */
  documentedBytes: number;
  /** The documented pattern over this package's real implementation: the serializer's error. */
  documentedFullError: string;
}

export async function serializeProvider(provider: pulumi.dynamic.ResourceProvider): Promise<string> {
  const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return sf.text;
}

export async function measureProviderSizes(program: InstalledProgram): Promise<ProviderSizes> {
  const ours = program.serialize();
  if (ours.containsSecrets) throw new Error("the production __provider captured a secret");
  const shimText = await serializeProvider(providerShim);
  const documentedText = await serializeProvider(documentedProvider);
  let documentedFullError = "(serialized without error)";
  try {
    await serializeProvider(documentedFullProvider);
  } catch (error) {
    documentedFullError = (error instanceof Error ? error.message : String(error)).split("\n")[0].slice(0, 200);
  }
  return {
    oursBytes: Buffer.byteLength(ours.text),
    oursText: ours.text,
    oursRequire: [...ours.text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).join(", "),
    shimBytes: Buffer.byteLength(shimText),
    documentedBytes: Buffer.byteLength(documentedText),
    documentedFullError,
  };
}
