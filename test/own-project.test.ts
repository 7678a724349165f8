import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENCENT_CREDENTIALS } from "../src/clouds/tencent/emulator";
import { startEmulator, type Emulator } from "../src/emulator/server";
import { cleanEnv } from "./cli-helpers";
import { ProviderHost, TYPE, urnOf } from "./harness/provider-harness";
import { writeOfflineLockfile } from "./kit/offline-install";
import { USER_SETTINGS } from "./kit/ts-project";

/**
 * The README's "Use it in your own project", followed literally in a temporary directory: the
 * package packed with `npm pack`, the package.json and the program copied from the README's code
 * blocks, `npm install`, the type check, the program evaluated under the SDK's mock monitor with
 * the README's `pulumi config set` lines, then preview (Check) and up (Create) through Pulumi's
 * dynamic-provider host, and the README's `npx cluster-power` line. The local emulator stands in
 * for the cloud, and the README's example credentials are swapped for the emulator's. If the guide
 * and the package part ways, this fails.
 */

const ROOT = join(__dirname, "..");
const run = promisify(execFile);
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const BY_REFERENCE = readFileSync(join(ROOT, "test", "harness", "fixtures", "provider-by-reference.js.txt"), "utf8");

function guideSection(): string {
  const start = README.indexOf("## Use it in your own project\n");
  expect(start, 'README section "## Use it in your own project"').toBeGreaterThanOrEqual(0);
  const end = README.indexOf("\n## ", start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** The guide's code blocks by language, in order, and its shell lines. */
function guide() {
  const section = guideSection();
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], text: m[2] }));
  const only = (lang: string) => {
    const found = blocks.filter((b) => b.lang === lang);
    expect(found.length, `one \`\`\`${lang} block`).toBe(1);
    return found[0].text;
  };
  const shell = blocks.filter((b) => b.lang === "sh").flatMap((b) => b.text.split("\n")).map((l) => l.replace(/\s+#.*$/, "").trim()).filter(Boolean);
  const config = shell
    .map((line) => /^pulumi config set (--secret )?(\S+) (\S+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ secret: Boolean(m[1]), key: m[2], value: m[3] }));
  const exports = Object.fromEntries(
    (shell.find((l) => l.startsWith("export "))?.slice("export ".length).split(/\s+/) ?? []).map((pair) => pair.split("=") as [string, string]),
  );
  const cli = shell.find((l) => l.startsWith("npx cluster-power "));
  const pack = shell.find((l) => l.includes("npm pack --pack-destination"));
  return { packageJson: only("json"), program: only("ts"), config, exports, cli, pack, shell };
}

let dir: string;
let emulator: Emulator;
const steps = guide();
const manifest = JSON.parse(steps.packageJson) as { name: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cluster-power-guide-"));
  emulator = await startEmulator({ transitionMs: 200 });
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("README: Use it in your own project, step by step", () => {
  it("steps 2-3: npm pack makes the tarball package.json names, and npm install installs it", async () => {
    const [, destination] = /--pack-destination \.\.\/[^/]+\/(\S+?)\)?$/.exec(steps.pack ?? "") ?? [];
    expect(destination, "the guide packs into the project's vendor folder").toBe("vendor");
    mkdirSync(join(dir, destination), { recursive: true });
    await run("npm", ["pack", "--pack-destination", join(dir, destination)], { cwd: ROOT });
    const [tarball] = readdirSync(join(dir, destination));
    expect(manifest.dependencies["pulumi-cluster-power"]).toBe(`file:${destination}/${tarball}`);
    expect(manifest.devDependencies.typescript, "typescript stays a dev dependency").toBeDefined();

    writeFileSync(join(dir, "package.json"), steps.packageJson);
    // What `pulumi new typescript` wrote besides package.json and index.ts.
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: USER_SETTINGS.template2026, files: ["index.ts"] }, null, 4));
    writeFileSync(join(dir, "Pulumi.yaml"), `name: ${manifest.name}\nruntime: nodejs\ndescription: A minimal TypeScript Pulumi program\n`);
    writeFileSync(join(dir, "index.ts"), steps.program);
    // No registry here: the versions npm would pick are the ones this repository installed.
    writeOfflineLockfile(ROOT, dir, { name: "pulumi-cluster-power", tarball: `${destination}/${tarball}` });
    await run("npm", ["install", "--offline", "--no-audit", "--no-fund"], { cwd: dir });
    const installed = JSON.parse(readFileSync(join(dir, "node_modules", "pulumi-cluster-power", "package.json"), "utf8"));
    expect(installed.version).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  }, 120_000);

  it("step 6: npx tsc --noEmit type-checks the program (strict template settings, the project's own TypeScript)", async () => {
    expect(steps.shell).toContain("npx tsc --noEmit");
    await run("npx", ["tsc", "--noEmit"], { cwd: dir });
  }, 60_000);

  it("step 6: preview and up: the program registers the resource, check passes with the region from config, create pauses it", async () => {
    // Pulumi runs index.ts; the compiled program registers the same resources.
    await run("npx", ["tsc", "--outDir", "bin"], { cwd: dir });
    const config: Record<string, string> = {};
    for (const { key, value } of steps.config) config[key] = value;
    const evaluation = await evaluate(dir, manifest.name, config);
    expect(evaluation).toHaveLength(1);
    const [resource] = evaluation;
    expect(resource).toMatchObject({ type: TYPE, name: "reporting-db", inputs: { cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75", powerState: "paused" } });
    expect(resource.inputs.region, "the guide takes the region from stack config").toBeUndefined();
    // Installed from the tarball, the package is captured by reference: the production __provider.
    expect(resource.inputs.__provider).toBe(BY_REFERENCE);

    // The guide's example credentials become the emulator's; the endpoint points at it.
    expect(config["tencentcloud:secretId"]).toMatch(/EXAMPLE/);
    const stack = {
      ...config,
      "tencentcloud:secretId": DEMO_TENCENT_CREDENTIALS.secretId,
      "tencentcloud:secretKey": DEMO_TENCENT_CREDENTIALS.secretKey,
      "tencentcloud:endpoint": emulator.url,
      "cluster-power:timeScale": "0.01",
    };
    // An empty TENCENTCLOUD_REGION: the region must come from the stack config, as the guide sets it.
    const host = await ProviderHost.start({ cwd: dir, project: manifest.name, env: { TENCENTCLOUD_REGION: "" } });
    try {
      await host.configure(stack, steps.config.filter((c) => c.secret).map((c) => c.key));
      const urn = urnOf("dev", manifest.name, TYPE, "reporting-db");
      const checked = await host.check(urn, {}, resource.inputs);
      expect(checked.failures).toEqual([]);
      const created = await host.create(urn, checked.inputs);
      expect(created.outputs).toMatchObject({ observedState: "paused", lastOperation: "pause" });
      expect(created.outputs.region).toBeUndefined();
    } finally {
      await host.stop();
    }
    expect(emulator.part("tencentcloud").getCluster("cynosdbmysql-8vcxoq75")?.serverlessStatus).toBe("pause");
  }, 90_000);

  it("step 7: npx cluster-power, with the guide's environment, shows the cluster paused", async () => {
    expect(steps.cli).toBeDefined();
    const args = steps.cli!.split(/\s+/).slice(1);
    const env = cleanEnv({
      HOME: process.env.HOME,
      ...steps.exports,
      TENCENTCLOUD_SECRET_ID: DEMO_TENCENT_CREDENTIALS.secretId,
      TENCENTCLOUD_SECRET_KEY: DEMO_TENCENT_CREDENTIALS.secretKey,
      CLUSTER_POWER_TENCENTCLOUD_ENDPOINT: emulator.url,
    });
    expect(Object.keys(steps.exports).sort()).toEqual(["TENCENTCLOUD_REGION", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"]);
    const { stdout } = await run("npx", args, { cwd: dir, env });
    expect(stdout).toMatch(/cynosdbmysql-8vcxoq75\s+paused/);
  }, 60_000);
});

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/**
 * The program under the SDK's mock monitor (preview), in its own Node process with the project's
 * own @pulumi/pulumi: what `pulumi preview` registers, `__provider` included.
 */
async function evaluate(projectDir: string, project: string, config: Record<string, string>): Promise<Registered[]> {
  const script = `
    const pulumi = require("@pulumi/pulumi");
    const resources = [];
    pulumi.runtime.setAllConfig(${JSON.stringify(config)});
    pulumi.runtime.setMocks({
      newResource: (args) => { resources.push({ type: args.type, name: args.name, inputs: args.inputs }); return { id: args.name + "-id", state: args.inputs }; },
      call: () => ({}),
    }, ${JSON.stringify(project)}, "dev", true);
    require("./bin/index.js");
    pulumi.runtime.disconnect().then(() => process.stdout.write("@@" + JSON.stringify(resources)));
  `;
  writeFileSync(join(projectDir, "evaluate.cjs"), script);
  const { stdout } = await run(process.execPath, ["evaluate.cjs"], { cwd: projectDir });
  return JSON.parse(stdout.slice(stdout.lastIndexOf("@@") + 2)) as Registered[];
}
