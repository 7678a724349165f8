import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The repository root, found from wherever this file runs: tools/ under vitest, build/tools/ when
 * compiled. Tools read the root's Pulumi.yaml, examples and package.json from here.
 */
function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "pulumi-cluster-power") return dir;
    if (dirname(dir) === dir) throw new Error(`no pulumi-cluster-power package.json above ${start}`);
  }
}

export const REPO_ROOT = findRoot(__dirname);
