import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type * as TS from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installProgram, type InstalledProgram } from "../tools/bench/installed";
import { CLOUDS } from "../src/clouds";
import { checkInputs, inputFields, OBSERVED_FIELDS } from "../src/provider/schema";
import { COMPILERS, compilerOptions, declaredOldest, diagnose, languageService, loadedFiles, ROOT, USER_SETTINGS } from "./kit/ts-project";

/**
 * The program-side types as a user's project sees them: the BUILT package (package.json and dist/
 * copied into a program's node_modules), the settings of `pulumi new typescript`, and both the
 * project's TypeScript and the oldest release package.json declares. Expected-error cases prove
 * that an input of one cloud on another's resource does not compile; the language service proves
 * that hovering any input shows its documentation and default.
 */

let program: InstalledProgram;
beforeAll(() => {
  program = installProgram(ROOT);
});
afterAll(() => program?.remove());

/**
 * Each case is a program; a line that must not compile ends in `// error: <word>`, and the
 * compiler's message for it must name <word>. Every other line must compile.
 */
const CASES: Record<string, string> = {
  "both clouds, every kind of value": `
    import * as pulumi from "@pulumi/pulumi";
    import { ClusterPowerState, type ClusterPowerStateArgs } from "pulumi-cluster-power";
    const config = new pulumi.Config();
    const tc = new ClusterPowerState("tc", {
      cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75", region: "ap-guangzhou", powerState: "paused",
      forcePause: config.getBoolean("force") ?? false, allowAutoPause: pulumi.output(true), wait: true, timeoutSeconds: 600, onDelete: "resume",
      endpoint: "http://127.0.0.1:4780",
    });
    new ClusterPowerState("zc", { cloud: "zillizcloud", clusterId: pulumi.output("in01-0123456789abcdef"), apiVersion: "v1", region: "aws-us-west-2" });
    const pick = (zilliz: boolean): ClusterPowerStateArgs =>
      zilliz ? { cloud: "zillizcloud", clusterId: "in01-0123456789abcdef" } : { cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75", forcePause: true };
    new ClusterPowerState("picked", pick(true));
    export const state: pulumi.Output<"running" | "resuming" | "paused" | "pausing" | "unknown"> = tc.observedState;
    export const flow: pulumi.Output<number | undefined> = tc.flowId;
  `,
  "an input of the other cloud": `
    import { ClusterPowerState } from "pulumi-cluster-power";
    new ClusterPowerState("a", { cloud: "zillizcloud", clusterId: "in01-0123456789abcdef", forcePause: true }); // error: forcePause
    new ClusterPowerState("b", { cloud: "zillizcloud", clusterId: "in01-0123456789abcdef", allowAutoPause: false }); // error: allowAutoPause
    new ClusterPowerState("c", { cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75", apiVersion: "v2" }); // error: apiVersion
    const common = { clusterId: "in01-0123456789abcdef", powerState: "running" } as const;
    new ClusterPowerState("d", { ...common, cloud: "zillizcloud", forcePause: false }); // error: forcePause
  `,
  "values and names that do not exist": `
    import { ClusterPowerState } from "pulumi-cluster-power";
    new ClusterPowerState("a", { cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75", powerState: "off" }); // error: off
    new ClusterPowerState("b", { cloud: "aws", clusterId: "i-0123" }); // error: aws
    new ClusterPowerState("c", { cloud: "zillizcloud", clusterId: "in01-0123456789abcdef", apiVersion: "v3" }); // error: v3
    new ClusterPowerState("d", { cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75", onDelete: "destroy" }); // error: destroy
    new ClusterPowerState("e", { cloud: "tencentcloud", region: "ap-guangzhou" }); // error: clusterId
    new ClusterPowerState("f", { cloud: "tencentcloud", clusterId: "cynosdbmysql-8vcxoq75", forcePuase: true }); // error: forcePuase
  `,
};

function writeCases(dir: string): Map<string, { file: string; expected: Map<number, string> }> {
  mkdirSync(dir, { recursive: true });
  const out = new Map<string, { file: string; expected: Map<number, string> }>();
  Object.entries(CASES).forEach(([name, source], index) => {
    const file = join(dir, `case${index}.ts`);
    const lines = source.replace(/^\n/, "").split("\n").map((l) => l.replace(/^ {4}/, ""));
    writeFileSync(file, lines.join("\n"));
    const expected = new Map<number, string>();
    lines.forEach((line, i) => {
      const marker = /\/\/ error: (\S+)\s*$/.exec(line);
      if (marker) expected.set(i + 1, marker[1]);
    });
    out.set(name, { file, expected });
  });
  return out;
}

const VERSIONS: Array<[string, typeof TS]> = [
  ["current", COMPILERS.current],
  ["oldest", COMPILERS.oldest],
];

describe("the declared TypeScript range", () => {
  it(`the oldest compiler tested is the oldest package.json declares (${declaredOldest()})`, () => {
    expect(COMPILERS.oldest.versionMajorMinor).toBe(declaredOldest());
  });

  it("the package's entry loads no zod declarations (they need TS 5.4, and esModuleInterop under moduleResolution node)", () => {
    const options = compilerOptions(COMPILERS.current, USER_SETTINGS.template2026, program.dir);
    writeFileSync(join(program.dir, "entry.ts"), 'export * from "pulumi-cluster-power";\n');
    const loaded = loadedFiles(COMPILERS.current, join(program.dir, "entry.ts"), options);
    expect(loaded.filter((f) => /node_modules\/zod\//.test(f))).toEqual([]);
    expect(loaded.some((f) => f.endsWith(join("pulumi-cluster-power", "dist", "resource.d.ts")))).toBe(true);
  });
});

// The strictest flags change nothing a new compiler would not show: the oldest runs the two templates.
const TYPE_RUNS = VERSIONS.map(([label, ts]) => [label, ts, label === "oldest" ? ["template2026", "template2024"] : Object.keys(USER_SETTINGS)] as const);

describe.each(TYPE_RUNS)("type tests, TypeScript %s", (label, ts, settingsNames) => {
  describe.each(settingsNames)("settings %s", (settings) => {
    it(`each marked line fails to compile naming the input, every other line compiles (TypeScript ${ts.version})`, () => {
      const dir = join(program.dir, `types-${label}-${settings}`);
      const cases = writeCases(dir);
      const diagnostics = diagnose(ts, [...cases.values()].map((c) => c.file), compilerOptions(ts, USER_SETTINGS[settings], dir));
      // Declarations of every package (ours, @pulumi/pulumi, @types/node) must load cleanly.
      expect(diagnostics.filter((d) => !d.file.startsWith(dir))).toEqual([]);
      for (const [name, { file, expected }] of cases) {
        const found = diagnostics.filter((d) => d.file === file);
        const unexpected = found.filter((d) => !expected.has(d.line) || !d.text.includes(expected.get(d.line)!));
        expect(unexpected, name).toEqual([]);
        const missing = [...expected].filter(([line]) => !found.some((d) => d.line === line));
        expect(missing.map(([line, word]) => `line ${line}: no error for ${word}`), name).toEqual([]);
      }
    });
  });
});

/** Inputs of one built-in cloud, as the run-time schema knows them: the common ones and its own. */
function inputsOf(cloudName: string): string[] {
  const cloudOnly = new Set(CLOUDS.all().flatMap((c) => Object.keys(c.inputs)));
  return [...Object.keys(inputFields()).filter((name) => !cloudOnly.has(name)), ...Object.keys(CLOUDS.require(cloudName).inputs)];
}

/** Defaults of one cloud's inputs, from check() itself. */
function defaultsOf(cloudName: string): Record<string, unknown> {
  const given = { cloud: cloudName, clusterId: CLOUDS.require(cloudName).exampleClusterId };
  const { inputs } = checkInputs(given);
  return Object.fromEntries(Object.entries(inputs).filter(([key]) => !(key in given)));
}

/** A value of the input's type, for the sample program (types only matter: it is never run). */
function sampleValue(cloudName: string, name: string): string {
  if (name === "cloud") return JSON.stringify(cloudName);
  if (name === "clusterId") return JSON.stringify(CLOUDS.require(cloudName).exampleClusterId);
  let def = (inputFields()[name] as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  while (def.type === "pipe") def = (def.in as { _zod: { def: Record<string, unknown> } })._zod.def;
  if (def.type === "enum") return JSON.stringify(Object.values(def.entries as object)[0]);
  if (def.type === "boolean") return "true";
  if (def.type === "number") return "600";
  return '"2026-11-30T12:00:00.000Z"';
}

describe.each(VERSIONS)("hover in an editor, TypeScript %s", (_label, ts) => {
  describe.each(CLOUDS.all().map((c) => c.name))("a %s resource", (cloudName) => {
    let service: TS.LanguageService;
    let file: string;
    let text: string;
    const names = inputsOf(cloudName);
    beforeAll(() => {
      const dir = join(program.dir, `hover-${ts.versionMajorMinor}-${cloudName}`);
      mkdirSync(dir, { recursive: true });
      file = join(dir, "index.ts");
      text = [
        'import { ClusterPowerState } from "pulumi-cluster-power";',
        `const db = new ClusterPowerState("db", {`,
        ...names.map((name) => `  ${name}: ${sampleValue(cloudName, name)},`),
        "});",
        ...[...names, ...OBSERVED_FIELDS].map((name) => `db.${name};`),
        "",
      ].join("\n");
      writeFileSync(file, text);
      service = languageService(ts, file, compilerOptions(ts, USER_SETTINGS.template2026, dir));
    });

    const hover = (needle: string) => {
      const at = text.indexOf(needle);
      expect(at, needle).toBeGreaterThanOrEqual(0);
      const info = service.getQuickInfoAtPosition(file, at + needle.length - 1);
      return { display: ts.displayPartsToString(info?.displayParts), doc: ts.displayPartsToString(info?.documentation) };
    };

    it("the sample program with every input compiles", () => {
      const errors = service.getSemanticDiagnostics(file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      expect(errors).toEqual([]);
    });

    it.each(names)("input %s: its doc, its default, and a readable type", (name) => {
      const { display, doc } = hover(`\n  ${name}`);
      expect(display).toMatch(new RegExp(`\\.${name}\\??: `));
      expect(display).not.toMatch(/NonNullable|undefined>/);
      expect(doc.length, `${name} has no doc comment`).toBeGreaterThan(20);
      const value = defaultsOf(cloudName)[name];
      if (value !== undefined) expect(doc).toContain(`Default \`${JSON.stringify(value)}\``);
      else expect(doc).toMatch(/\bRequired\b|\bdefault\b/i);
    });

    it.each([...names, ...OBSERVED_FIELDS])("output %s: its doc", (name) => {
      const { display, doc } = hover(`db.${name}`);
      // Outputs of one cloud's own inputs are declared in its folder and merged into the class.
      expect(display).toMatch(new RegExp(`(ClusterPowerState|ClusterPowerStateOutputs)\\.${name}: (pulumi\\.)?Output`));
      expect(doc.length, `output ${name} has no doc comment`).toBeGreaterThan(15);
      const value = defaultsOf(cloudName)[name];
      if (value !== undefined && name !== "powerState") expect(doc.toLowerCase()).toContain(`default \`${JSON.stringify(value)}\``.toLowerCase());
    });
  });
});
