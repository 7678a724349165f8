import { appendFileSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Installed from "../tools/bench/installed";
import type * as Shim from "../src/provider/shim";
import { startEmulator, type Emulator } from "../src/emulator/server";
import { CREDENTIALS, ProviderHost, ROOT, SECRET_KEYS, SHIM_FIXTURE, stackConfig, TYPE, urnOf, type Props } from "./harness/provider-harness";

/**
 * The production path: the package installed in a program's node_modules (a copy of package.json
 * and dist/, see tools/bench/installed.ts), where every ClusterPowerState passes the implementation
 * module itself and Pulumi stores a single require() of it. Both `__provider` texts ever written
 * (the shim and this one) must keep working there through the real dynamic-provider host.
 */

const cjs = createRequire(join(ROOT, "package.json"));
const { installProgram, INSTALLED_PROJECT } = cjs("./build/tools/bench/installed.js") as typeof Installed;
const { referenceSpecifier, IMPLEMENTATION_EXPORT } = cjs("./dist/provider/shim.js") as typeof Shim;
const BY_REFERENCE_FIXTURE = join(ROOT, "test", "harness", "fixtures", "provider-by-reference.js.txt");
const byReference = readFileSync(BY_REFERENCE_FIXTURE, "utf8");
const shim = readFileSync(SHIM_FIXTURE, "utf8");

let program: ReturnType<typeof installProgram>;
beforeAll(() => {
  program = installProgram(ROOT);
});
afterAll(() => program?.remove());

describe("__provider when the package is installed from node_modules", () => {
  it("is a require() of the exported implementation, under 1 KB, and no secret of the program gets in", () => {
    // Credentials present in the program process (config and environment) must not leak into it.
    const { text, containsSecrets } = program.serialize(`
      pulumi.runtime.setConfig("tencentcloud:secretKey", ${JSON.stringify(CREDENTIALS.tencentSecretKey)});
      process.env.ZILLIZCLOUD_API_KEY = ${JSON.stringify(CREDENTIALS.zillizApiKey)};`);
    expect(containsSecrets).toBe(false);
    for (const secret of Object.values(CREDENTIALS)) expect(text).not.toContain(secret);
    expect([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual([IMPLEMENTATION_EXPORT]);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024);
    expect(text).not.toContain(program.dir);
    // If this fails, src/resource.ts or the @pulumi/pulumi serializer changed; keep the old text as
    // another fixture for the host test below, and commit the new one here.
    expect(text).toBe(byReference);
  });

  it("names a path the package exports, which resolves to the implementation's seven methods", () => {
    const fromProgram = createRequire(join(program.dir, "index.js"));
    const resolved = fromProgram.resolve(IMPLEMENTATION_EXPORT);
    expect(resolved).toBe(join(program.packageDir, "dist", "provider", "implementation.js"));
    const implementation = fromProgram(IMPLEMENTATION_EXPORT);
    for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"]) {
      expect(typeof implementation[method], method).toBe("function");
    }
  });

  it("stays the same text when the serializer can read our package.json (the export order is part of the contract)", () => {
    // In a real install the SDK resolves the package and maps the file back through its exports
    // map; the scratch program's SDK lives outside it and takes the raw path. Both must agree.
    const { getModuleFromPath } = cjs("@pulumi/pulumi/runtime/closure/package.js");
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(getModuleFromPath(IMPLEMENTATION_EXPORT, manifest)).toBe(IMPLEMENTATION_EXPORT);
  });
});

describe("which provider a program serializes (mirrors the SDK's module capture)", () => {
  const impl = ["dist", "provider", "implementation.js"];
  it("by reference from a program's node_modules, npm or pnpm layout", () => {
    expect(referenceSpecifier(join("/p", "node_modules", "pulumi-cluster-power", ...impl), "/p")).toBe(IMPLEMENTATION_EXPORT);
    const pnpm = join("/p", "node_modules", ".pnpm", "pulumi-cluster-power@0.1.0", "node_modules", "pulumi-cluster-power", ...impl);
    expect(referenceSpecifier(pnpm, "/p")).toBe(IMPLEMENTATION_EXPORT);
  });
  it("not by reference from the package's own tree, npm link or a workspace (real path outside node_modules)", () => {
    expect(referenceSpecifier(join("/repo", ...impl), "/repo")).toBeUndefined();
    expect(referenceSpecifier(join("/repo", ...impl), join("/repo", "examples", "tencent-nightly"))).toBeUndefined();
    expect(referenceSpecifier(join("/src", "cluster-power", ...impl), "/p")).toBeUndefined();
  });
  it("not as our export under another installed name (an npm alias): the shim is used then", () => {
    expect(referenceSpecifier(join("/p", "node_modules", "power", ...impl), "/p")).not.toBe(IMPLEMENTATION_EXPORT);
  });
});

describe("old state through the real host, package installed in node_modules", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ transitionMs: 150 });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  async function lifecycle(host: ProviderHost, fixture: string, clusterId: string) {
    const urn = urnOf("test", INSTALLED_PROJECT, TYPE, clusterId);
    emulator.part("tencentcloud").addCluster({ clusterId, region: "ap-guangzhou", serverlessStatus: "resume" });
    const inputs: Props = { cloud: "tencentcloud", clusterId, region: "ap-guangzhou", onDelete: "resume", __provider: fixture };
    const checked = await host.check(urn, {}, inputs);
    const created = await host.create(urn, checked.inputs);
    emulator.part("tencentcloud").autoResume(clusterId);
    const read = await host.read(urn, clusterId, created.outputs, checked.inputs);
    await host.delete(urn, clusterId, read.outputs, checked.inputs);
    return { created: created.outputs, read: read.outputs, live: emulator.part("tencentcloud").getCluster(clusterId)?.serverlessStatus };
  }

  it("both committed texts (shim and by reference) create, read and delete", async () => {
    const host = await ProviderHost.start({ cwd: program.dir, project: INSTALLED_PROJECT });
    try {
      await host.configure(stackConfig(emulator), SECRET_KEYS);
      const cases: Array<[string, string]> = [[shim, "cynosdbmysql-inst0001"], [byReference, "cynosdbmysql-inst0002"]];
      for (const [fixture, clusterId] of cases) {
        const run = await lifecycle(host, fixture, clusterId);
        expect(run.created).toMatchObject({ observedState: "paused", __provider: fixture });
        expect(run.read).toMatchObject({ observedState: "running", __provider: fixture });
        expect(run.live, "onDelete: resume woke the cluster").toBe("resume");
      }
    } finally {
      await host.stop();
    }
  });

  it("a rebuilt package keeps the text, and old state runs the installed build's code", async () => {
    // Today's build, marked: its read adds a word to rawStatus. A text that copied code into the
    // state would run yesterday's read and never show it.
    appendFileSync(
      join(program.packageDir, "dist", "provider", "implementation.js"),
      `\n{ const readBefore = exports.read; exports.read = async (id, props) => { const r = await readBefore(id, props); return { ...r, props: { ...r.props, rawStatus: r.props.rawStatus + " (rebuilt)" } }; }; }\n`,
    );
    expect(program.serialize().text).toBe(byReference);
    const host = await ProviderHost.start({ cwd: program.dir, project: INSTALLED_PROJECT });
    try {
      await host.configure(stackConfig(emulator), SECRET_KEYS);
      for (const [fixture, clusterId] of [[shim, "cynosdbmysql-inst0003"], [byReference, "cynosdbmysql-inst0004"]]) {
        const run = await lifecycle(host, fixture, clusterId);
        expect(run.read.rawStatus, clusterId).toMatch(/ \(rebuilt\)$/);
      }
    } finally {
      await host.stop();
    }
  });
});
