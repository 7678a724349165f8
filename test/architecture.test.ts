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
    // 0.1.0 packed 818 kB, 29% of it tools and 36% source maps; with those gone the same product
    // packed 401 kB. This release adds schedules, selectors and the auto-pause policy (about 585 kB,
    // a third of it documented declarations): the ceiling catches tools or maps creeping back.
    expect(pack.unpackedSize).toBeLessThanOrEqual(650_000);
  });
});
