import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A scratch Pulumi program with this package installed the way npm installs it: a COPY of
 * package.json and dist/ in the program's node_modules/pulumi-cluster-power (a symlink would
 * resolve to a real path outside node_modules, which is the npm-link case, not an install).
 *
 * The program lives in the repository's gitignored .bench-tmp/, so the package's own
 * dependencies (zod, undici, @pulumi/pulumi) resolve from the repository's node_modules by
 * walking up, as they would from a hoisted install, with nothing downloaded.
 */
export interface InstalledProgram {
  /** The program directory: the host's working directory, as the engine would use. */
  dir: string;
  /** The installed package copy (node_modules/pulumi-cluster-power). */
  packageDir: string;
  /** `__provider` as a ClusterPowerState of this program serializes it, and the SDK's secret flag. */
  serialize(extraScript?: string): { text: string; containsSecrets: boolean };
  remove(): void;
}

export const INSTALLED_PROJECT = "installed-program";

export function installProgram(root: string): InstalledProgram {
  const scratch = join(root, ".bench-tmp");
  mkdirSync(scratch, { recursive: true });
  const dir = mkdtempSync(join(scratch, "installed-"));
  const packageDir = join(dir, "node_modules", "pulumi-cluster-power");
  mkdirSync(packageDir, { recursive: true });
  cpSync(join(root, "package.json"), join(packageDir, "package.json"));
  // Scratch output of other runs is no part of the package.
  cpSync(join(root, "dist"), join(packageDir, "dist"), { recursive: true, filter: (src) => !/[\\/]dist[\\/](reliability-run|bench-run)/.test(src) });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: INSTALLED_PROJECT, private: true }) + "\n");
  return {
    dir,
    packageDir,
    serialize: (extraScript = "") => serializeIn(dir, extraScript),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * `__provider` as the SDK computes it for a ClusterPowerState of the program: a fresh Node process
 * in the program directory loads the package by name (so src/resource.ts makes its production
 * choice) and registers one resource under the SDK's mock monitor, which hands over the inputs,
 * `__provider` included. A text the SDK found secret arrives as a secret value, not a string.
 */
function serializeIn(dir: string, extraScript: string): { text: string; containsSecrets: boolean } {
  const script = `
    const pulumi = require("@pulumi/pulumi");
    ${extraScript}
    pulumi.runtime.setMocks({
      newResource: (args) => {
        const value = args.inputs.__provider;
        const secret = typeof value !== "string";
        console.log(JSON.stringify({ text: secret ? String(value && value.value) : value, containsSecrets: secret }));
        return { id: args.name, state: args.inputs };
      },
      call: () => ({}),
    }, "${INSTALLED_PROJECT}", "test", false);
    const { ClusterPowerState } = require("pulumi-cluster-power");
    new ClusterPowerState("probe", { cloud: "zillizcloud", clusterId: "in01-0123456789abcdef" });
  `;
  const run = spawnSync(process.execPath, ["-e", script], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  const line = run.stdout.trim().split("\n").find((l) => l.startsWith("{")) ?? "";
  if (!line) throw new Error(`serializing in ${dir} failed: ${run.stderr || run.stdout}`);
  return JSON.parse(line) as { text: string; containsSecrets: boolean };
}
