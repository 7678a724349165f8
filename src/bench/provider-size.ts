import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { startEmulator } from "../emulator/server";
import { Engine, ProviderHost } from "../provider/engine-client";
import { providerShim } from "../provider/shim";
import { tencentAccount } from "./fleet";
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
  byReference?: {
    bytes: number;
    requirePath: string;
    /** Whether that path resolves under the package's exports map as published today. */
    resolvable: boolean;
    /** With the path added to the exports map: Creates through the real host that reached the target. */
    hostCreates?: string;
    error?: string;
  };
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
    byReference: await measureByReference(root),
  };
}

/**
 * Installs dist/ as node_modules/pulumi-cluster-power in a scratch program, serializes the
 * implementation module from there, checks whether the emitted require() resolves under today's
 * exports map, then adds that path to the scratch copy's exports map and runs Creates through the
 * real host with that `__provider`, to show the design works end to end.
 */
async function measureByReference(root: string): Promise<ProviderSizes["byReference"]> {
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
    writeFileSync(join(dir, "package.json"), '{"name":"byref-program","private":true}\n');
    const script = `
      const pulumi = require("@pulumi/pulumi");
      const p = require("pulumi-cluster-power/provider");
      pulumi.runtime.serializeFunction(() => p, { allowSecrets: true }).then((sf) => {
        const path = (/require\\("([^"]+)"\\)/.exec(sf.text) || [])[1] || "";
        let resolvable = true;
        try { require.resolve(path); } catch { resolvable = false; }
        console.log(JSON.stringify({ bytes: Buffer.byteLength(sf.text), requirePath: path, resolvable, text: sf.text }));
      }, (e) => { console.log(JSON.stringify({ bytes: 0, requirePath: "", resolvable: false, error: String(e.message).split("\\n")[0] })); });`;
    const run = spawnSync(process.execPath, ["-e", script], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    const measured = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as NonNullable<ProviderSizes["byReference"]> & { text?: string };
    const text = measured.text;
    delete measured.text;
    if (!text || !measured.requirePath) return measured;

    // What-if: export the path, then let the real host run Creates with this __provider.
    const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
    manifest.exports[`./${measured.requirePath.replace(/^pulumi-cluster-power\//, "")}`] = `./${measured.requirePath.replace(/^pulumi-cluster-power\//, "")}`;
    writeFileSync(join(pkg, "package.json"), JSON.stringify(manifest, null, 2));
    const emulator = await startEmulator({ transitionMs: 200 });
    const host = await ProviderHost.start({ cwd: dir, project: "byref-program" });
    try {
      const account = tencentAccount(emulator, "byref", 3);
      await host.configure(account.config, account.secretKeys);
      const steps = await new Engine(host).up(
        account.clusterIds.map((clusterId) => ({
          urn: `urn:pulumi:bench::byref-program::pulumi-nodejs:dynamic/cluster-power:ClusterPowerState::${clusterId}`,
          type: "pulumi-nodejs:dynamic/cluster-power:ClusterPowerState",
          name: clusterId,
          inputs: { cloud: "tencentcloud", clusterId, region: "ap-guangzhou", powerState: "paused", __provider: text },
        })),
      );
      const good = steps.filter((step) => !step.error && step.after?.observedState === "paused").length;
      measured.hostCreates = `${good}/${steps.length}` + (steps.find((step) => step.error) ? ` (${steps.find((step) => step.error)!.error!.message.slice(0, 120)})` : "");
    } finally {
      await host.stop();
      await emulator.stop();
    }
    return measured;
  } catch (error) {
    return { bytes: 0, requirePath: "", resolvable: false, error: String(error) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
