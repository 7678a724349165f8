import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { secretConfigKeys } from "../../src/clouds";

/**
 * Reads a Pulumi project (Pulumi.yaml) and one stack's config file (Pulumi.<stack>.yaml) the way
 * the CLI does for a program run: config keys are namespaced by the project name unless they
 * already carry a namespace, and structured values become JSON text.
 */

// js-yaml ships with @pulumi/pulumi (a peer dependency of this package).
const yaml: { load(text: string): unknown } = createRequire(require.resolve("@pulumi/pulumi/package.json"))("js-yaml");

/** Config the CLI would hold encrypted (`pulumi config set --secret`): sent to Configure as secrets. */
export const SECRET_CONFIG_KEYS = secretConfigKeys();

export interface StackSettings {
  dir: string;
  project: string;
  stack: string;
  /** The program's entry, resolved against `dir` (Pulumi.yaml `main`, else the directory). */
  main: string;
  /** Namespaced config, values as the engine passes them (strings). */
  config: Record<string, string>;
  /** Keys whose values are secrets (`secure:` values are not supported here: there is no passphrase). */
  secretKeys: string[];
}

export function loadStack(dir: string, stack: string, overrides: Record<string, unknown> = {}): StackSettings {
  const project = yaml.load(readFileSync(join(dir, "Pulumi.yaml"), "utf8")) as { name: string; main?: string };
  const stackFile = join(dir, `Pulumi.${stack}.yaml`);
  const stackConfig = existsSync(stackFile)
    ? (((yaml.load(readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {}) as Record<string, unknown>)
    : {};
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, value] of Object.entries({ ...stackConfig, ...overrides })) {
    const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
    if (typeof value === "object" && value !== null && "secure" in value) {
      throw new Error(`${stackFile}: ${rawKey} is encrypted ("secure:"); this stand-in cannot decrypt it, pass it through the environment instead`);
    }
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  for (const key of SECRET_CONFIG_KEYS) if (key in config) secretKeys.push(key);
  return { dir, project: project.name, stack, main: project.main ? join(dir, project.main) : packageEntry(dir), config, secretKeys };
}

/**
 * Without `main` in Pulumi.yaml, Pulumi's Node.js runtime runs the entry of the nearest
 * package.json up from the program directory (its "exports" ".", else "main"), not index.ts. In
 * this repository that is the library itself, so every program here names its `main`.
 */
function packageEntry(dir: string): string {
  for (let at = dir; ; at = dirname(at)) {
    const manifest = join(at, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { main?: string; exports?: unknown };
      const exported = typeof pkg.exports === "string" ? pkg.exports : (pkg.exports as Record<string, unknown> | undefined)?.["."];
      const entry = typeof exported === "string" ? exported : ((exported as Record<string, string> | undefined)?.default ?? (exported as Record<string, string> | undefined)?.require);
      return join(at, entry ?? pkg.main ?? "index.js");
    }
    if (dirname(at) === at) return dir;
  }
}
