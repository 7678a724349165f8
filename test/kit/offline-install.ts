import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Lets `npm install` run offline in a scratch project: a package-lock.json whose entries are this
 * repository's own (the versions `npm ci` put in npm's cache), so npm takes every tarball from the
 * cache by its integrity instead of asking the registry. The scratch project's package.json is
 * left as the user wrote it; only what npm would have resolved online is written down beforehand.
 */

interface LockEntry {
  version?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/**
 * Writes `<dir>/package-lock.json` for the project's package.json: every registry dependency (and
 * its dependencies, nested where the repository's lockfile nests them) as the repository locked it,
 * and `local` (a `file:` tarball of this package) with its integrity. Throws when the repository
 * never installed a dependency the project asks for: that one would need the network.
 */
export function writeOfflineLockfile(root: string, dir: string, local: { name: string; tarball: string }): void {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const ours = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Manifest;
  const project = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
  const packages: Record<string, LockEntry> = {
    "": { name: project.name, dependencies: project.dependencies, devDependencies: project.devDependencies },
  };

  /** Node's lookup inside a lockfile: the nearest node_modules/<name> from `from` upwards. */
  const locate = (from: string, name: string): string | undefined => {
    let at = from;
    for (;;) {
      const candidate = `${at ? `${at}/` : ""}node_modules/${name}`;
      if (lock.packages[candidate]) return candidate;
      if (!at) return undefined;
      const cut = at.lastIndexOf("/node_modules/");
      at = cut < 0 ? "" : at.slice(0, cut);
    }
  };
  const add = (from: string, name: string, optional: boolean) => {
    const path = locate(from, name);
    if (!path) {
      if (optional) return;
      throw new Error(`${name} (needed by ${from || "the project"}) is not in the repository's lockfile; an offline install cannot get it`);
    }
    if (packages[path]) return;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[path] as LockEntry & { dev?: unknown; devOptional?: unknown; peer?: unknown };
    packages[path] = entry;
    for (const dep of Object.keys(entry.dependencies ?? {})) add(path, dep, false);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) add(path, dep, true);
    for (const dep of Object.keys(entry.peerDependencies ?? {})) add(path, dep, entry.peerDependenciesMeta?.[dep]?.optional === true);
  };

  for (const name of Object.keys({ ...project.dependencies, ...project.devDependencies })) if (name !== local.name) add("", name, false);
  const integrity = `sha512-${createHash("sha512").update(readFileSync(join(dir, local.tarball))).digest("base64")}`;
  packages[`node_modules/${local.name}`] = {
    version: ours.version,
    resolved: `file:${local.tarball}`,
    integrity,
    license: ours.license,
    dependencies: ours.dependencies,
    peerDependencies: ours.peerDependencies,
    peerDependenciesMeta: ours.peerDependenciesMeta,
    bin: ours.bin,
    engines: ours.engines,
  };
  for (const dep of Object.keys(ours.dependencies ?? {})) add("", dep, false);
  writeFileSync(join(dir, "package-lock.json"), `${JSON.stringify({ name: project.name, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
}
