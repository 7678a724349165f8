import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type * as TS from "typescript";

/**
 * TypeScript as a user's project runs it, for the type and hover tests: the compiler settings of
 * `pulumi new typescript` (both generations of the template), a program per compiler version, and
 * a language service like an editor's.
 */

export const ROOT = join(__dirname, "..", "..");
const fromRoot = createRequire(join(ROOT, "package.json"));

/**
 * The compilers the tests run: the project's own, and the oldest release the package supports
 * (package.json peerDependencies "typescript"), the dependency of the local devDependency
 * test/kit/oldest-typescript (a package of its own, so its `tsc` stays out of node_modules/.bin).
 */
export const COMPILERS = {
  current: fromRoot("typescript") as typeof TS,
  oldest: createRequire(fromRoot.resolve("oldest-typescript/package.json"))("typescript") as typeof TS,
};

/** The oldest supported release, as package.json declares it (">=5.2 <7" -> "5.2"). */
export function declaredOldest(): string {
  const range = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { peerDependencies: Record<string, string> }).peerDependencies.typescript;
  return /^>=\s*(\d+\.\d+)/.exec(range)?.[1] ?? "?";
}

/**
 * The `compilerOptions` of the template's tsconfig.json (github.com/pulumi/templates, typescript/):
 * "2026" is today's (module nodenext), "2024" the one projects created before March 2026 still
 * have (moduleResolution node, no esModuleInterop, no skipLibCheck). "strictest" adds the flags a
 * stricter team turns on. Declarations are checked in all three, ours and our dependencies'.
 */
export const USER_SETTINGS: Record<string, Record<string, unknown>> = {
  template2026: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "nodenext",
    moduleResolution: "nodenext",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  template2024: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  strictest: {
    strict: true,
    target: "es2022",
    module: "nodenext",
    moduleResolution: "nodenext",
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noPropertyAccessFromIndexSignature: true,
    noImplicitOverride: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
  },
};

export function compilerOptions(ts: typeof TS, settings: Record<string, unknown>, dir: string): TS.CompilerOptions {
  const { options, errors } = ts.convertCompilerOptionsFromJson(settings, dir);
  if (errors.length) throw new Error(errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, "\n")).join("\n"));
  return { ...options, noEmit: true };
}

export interface Diagnostic {
  file: string;
  line: number;
  code: number;
  text: string;
}

/** Every diagnostic of a program over these files (declarations of all packages included). */
export function diagnose(ts: typeof TS, files: string[], options: TS.CompilerOptions): Diagnostic[] {
  const program = ts.createProgram(files, options);
  return ts.getPreEmitDiagnostics(program).map((d) => ({
    file: d.file?.fileName ?? "",
    line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0,
    code: d.code,
    text: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
  }));
}

/** The files a program over `entry` loads (its declaration graph). */
export function loadedFiles(ts: typeof TS, entry: string, options: TS.CompilerOptions): string[] {
  return ts.createProgram([entry], options).getSourceFiles().map((f) => f.fileName);
}

/** An editor's view of one file: a language service over the real file system. */
export function languageService(ts: typeof TS, file: string, options: TS.CompilerOptions): TS.LanguageService {
  const host: TS.LanguageServiceHost = {
    getScriptFileNames: () => [file],
    getScriptVersion: () => "1",
    getScriptSnapshot: (name) => (existsSync(name) ? ts.ScriptSnapshot.fromString(readFileSync(name, "utf8")) : undefined),
    getCurrentDirectory: () => dirname(file),
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: existsSync,
    readFile: (name) => (existsSync(name) ? readFileSync(name, "utf8") : undefined),
    readDirectory: ts.sys.readDirectory,
    directoryExists: (name) => existsSync(name) && statSync(name).isDirectory(),
    getDirectories: (name) => (existsSync(name) ? readdirSync(name).filter((n) => statSync(join(name, n)).isDirectory()) : []),
  };
  return ts.createLanguageService(host, ts.createDocumentRegistry());
}
