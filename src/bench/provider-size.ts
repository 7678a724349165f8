import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import { documentedProvider } from "./documented-provider";
import { documentedFullProvider } from "./documented-full";

/**
 * Part 3: the `__provider` text each resource carries (twice: in its inputs and its outputs),
 * produced exactly as `new dynamic.Resource` does it: runtime.serializeFunction(() => provider,
 * { allowSecrets: true }), from compiled CommonJS.
 */

export interface ProviderSizes {
  /** Our shim, as every ClusterPowerState serializes it today. */
  oursBytes: number;
  oursText: string;
  /** The documented pattern, minimal Zilliz-only provider (see documented-provider.ts). */
  documentedBytes: number;
  /** The documented pattern over this package's real implementation: the serializer's error. */
  documentedFullError: string;
  /**
   * What-if: the provider object is the package's implementation module itself, loaded from a
   * program's node_modules; the serializer then emits a require() by reference.
   */
  byReference?: { bytes: number; requirePath: string; resolvable: boolean; error?: string };
}

export async function serializeProvider(provider: pulumi.dynamic.ResourceProvider): Promise<string> {
  const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return sf.text;
}

export async function measureProviderSizes(root: string): Promise<ProviderSizes> {
  const oursText = await serializeProvider(providerShim);
  const documentedText = await serializeProvider(documentedProvider);
  let documentedFullError = "(serialized without error)";
  try {
    await serializeProvider(documentedFullProvider);
  } catch (error) {
    documentedFullError = (error instanceof Error ? error.message : String(error)).split("\n")[0].slice(0, 200);
  }
  return {
    oursBytes: Buffer.byteLength(oursText),
    oursText,
    documentedBytes: Buffer.byteLength(documentedText),
    documentedFullError,
    byReference: measureByReference(root),
  };
}

/** Installs dist/ as node_modules/pulumi-cluster-power in a scratch program and serializes from there. */
function measureByReference(root: string): ProviderSizes["byReference"] {
  const dir = mkdtempSync(join(tmpdir(), "cluster-power-byref-"));
  try {
    const pkg = join(dir, "node_modules", "pulumi-cluster-power");
    mkdirSync(pkg, { recursive: true });
    cpSync(join(root, "dist"), join(pkg, "dist"), { recursive: true });
    cpSync(join(root, "package.json"), join(pkg, "package.json"));
    for (const name of readdirSync(join(root, "node_modules"))) {
      const target = join(dir, "node_modules", name);
      if (!existsSync(target)) symlinkSync(join(root, "node_modules", name), target);
    }
    const script = `
      const pulumi = require("@pulumi/pulumi");
      const p = require("pulumi-cluster-power/provider");
      pulumi.runtime.serializeFunction(() => p, { allowSecrets: true }).then((sf) => {
        const path = (/require\\("([^"]+)"\\)/.exec(sf.text) || [])[1] || "";
        let resolvable = true;
        try { require.resolve(path); } catch { resolvable = false; }
        console.log(JSON.stringify({ bytes: Buffer.byteLength(sf.text), requirePath: path, resolvable }));
      }, (e) => { console.log(JSON.stringify({ bytes: 0, requirePath: "", resolvable: false, error: String(e.message).split("\\n")[0] })); });`;
    const run = spawnSync(process.execPath, ["-e", script], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    const line = run.stdout.trim().split("\n").pop() ?? "";
    return JSON.parse(line);
  } catch (error) {
    return { bytes: 0, requirePath: "", resolvable: false, error: String(error) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
