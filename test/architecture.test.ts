import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { CLOUDS } from "../src/clouds";

const ROOT = join(__dirname, "..");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("the folder layout is the architecture", () => {
  it("outside src/clouds/, no source file names a cloud", () => {
    const names = CLOUDS.all().flatMap((cloud) => [cloud.name, cloud.name.replace(/cloud$/, "")]).concat("cynosdb");
    const pattern = new RegExp(names.join("|"), "i");
    const offenders = filesUnder(join(ROOT, "src"))
      .filter((file) => file.endsWith(".ts") && !relative(ROOT, file).startsWith(join("src", "clouds")))
      .filter((file) => pattern.test(readFileSync(file, "utf8")))
      .map((file) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });

  it("the npm package holds the product only: no tools, no source maps, LICENSE and CHANGELOG in", () => {
    const [pack] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" })) as Array<{
      files: Array<{ path: string }>;
      unpackedSize: number;
    }>;
    const paths = pack.files.map((f) => f.path);
    expect(paths.filter((p) => /(^|\/)(bench|demo|reliability|program|tools|build)\/|engine-client|\.map$/.test(p))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(["LICENSE", "CHANGELOG.md", "README.md", "dist/index.js", "dist/index.d.ts", "dist/cli/main.js", "dist/emulator/server.js"]));
    // Half of the 818 kB the first release packed.
    expect(pack.unpackedSize).toBeLessThanOrEqual(409_000);
  });
});
