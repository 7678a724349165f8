import { join } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { CLOUDS } from "../src/clouds";
import { checkInputs, inputFields, OBSERVED_FIELDS } from "../src/provider/schema";

/**
 * The documented input types (src/args.ts, src/clouds/<cloud>/args.ts: what a program compiles
 * against and an editor shows) and the run-time schema (src/provider/schema.ts and each cloud's
 * descriptor `inputs`: what check() enforces) are written twice, so this test holds them together,
 * reading the types through the compiler: the same clouds, the same inputs per cloud, the same
 * required ones, the same value types, and every default the schema applies stated in the doc
 * comment as `Default \`<value>\``. A new input in either place alone fails here.
 */

const ROOT = join(__dirname, "..");

interface DocumentedInput {
  optional: boolean;
  doc: string;
  /** The T of `pulumi.Input<T>` (or the type itself), as a comparable shape. */
  shape: Shape;
}
type Shape = { kind: "boolean" | "number" | "string" } | { kind: "enum"; values: string[] } | { kind: "other"; text: string };

let documented: Map<string, Map<string, DocumentedInput>>;
let outputs: Map<string, string>;

function shapeOfType(checker: ts.TypeChecker, type: ts.Type): Shape {
  const flags = type.getFlags();
  if (flags & ts.TypeFlags.Boolean || (type.isUnion() && type.types.every((t) => t.getFlags() & ts.TypeFlags.BooleanLiteral))) return { kind: "boolean" };
  if (flags & ts.TypeFlags.Number) return { kind: "number" };
  if (flags & ts.TypeFlags.String) return { kind: "string" };
  if (type.isStringLiteral()) return { kind: "enum", values: [type.value] };
  if (type.isUnion() && type.types.every((t) => t.isStringLiteral())) return { kind: "enum", values: type.types.map((t) => (t as ts.StringLiteralType).value).sort() };
  return { kind: "other", text: checker.typeToString(type) };
}

/** `pulumi.Input<T>` -> T, read from the declaration as written (the checker would expand Input). */
function shapeOfProperty(checker: ts.TypeChecker, symbol: ts.Symbol): Shape {
  const declaration = symbol.valueDeclaration;
  if (!declaration || !ts.isPropertySignature(declaration) || !declaration.type) return { kind: "other", text: "no declaration" };
  const node = declaration.type;
  if (ts.isTypeReferenceNode(node) && node.typeName.getText().endsWith("Input") && node.typeArguments?.length === 1) {
    return shapeOfType(checker, checker.getTypeFromTypeNode(node.typeArguments[0]));
  }
  return shapeOfType(checker, checker.getTypeFromTypeNode(node));
}

/** The zod schema's value type, in the same shape (refinements and transforms keep their input type). */
function shapeOfSchema(schema: unknown): Shape {
  let def = (schema as { _zod: { def: Record<string, unknown> } })._zod.def;
  while (def.type === "pipe" || def.type === "optional" || def.type === "default") {
    def = ((def.type === "pipe" ? def.in : def.innerType) as { _zod: { def: Record<string, unknown> } })._zod.def;
  }
  if (def.type === "enum") return { kind: "enum", values: Object.values(def.entries as Record<string, string>).sort() };
  if (def.type === "boolean" || def.type === "number" || def.type === "string") return { kind: def.type };
  return { kind: "other", text: String(def.type) };
}

beforeAll(() => {
  const program = ts.createProgram([join(ROOT, "src", "index.ts")], { strict: true, noEmit: true, types: ["node"], module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 });
  const checker = program.getTypeChecker();
  const argsFile = program.getSourceFile(join(ROOT, "src", "clouds", "args.ts"))!;
  const alias = argsFile.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === "CloudClusterPowerStateArgs")!;
  const union = checker.getTypeAtLocation(alias.name);
  documented = new Map();
  for (const member of union.isUnion() ? union.types : [union]) {
    const cloud = member.getProperty("cloud");
    const cloudType = cloud && checker.getTypeOfSymbol(cloud);
    const name = cloudType?.isStringLiteral() ? cloudType.value : `(no literal cloud in ${checker.typeToString(member)})`;
    const inputs = new Map<string, DocumentedInput>();
    for (const property of member.getProperties()) {
      inputs.set(property.name, {
        optional: (property.getFlags() & ts.SymbolFlags.Optional) !== 0,
        doc: ts.displayPartsToString(property.getDocumentationComment(checker)),
        shape: shapeOfProperty(checker, property),
      });
    }
    documented.set(name, inputs);
  }
  const resourceFile = program.getSourceFile(join(ROOT, "src", "resource.ts"))!;
  const resource = resourceFile.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === "ClusterPowerState")!;
  outputs = new Map();
  // The class's own declarations and the clouds' output interfaces merged into it, not what it inherits.
  const instance = checker.getDeclaredTypeOfSymbol(checker.getSymbolAtLocation(resource.name!)!);
  for (const symbol of instance.getProperties()) {
    if (!symbol.declarations?.some((d) => d.getSourceFile().fileName.startsWith(join(ROOT, "src")))) continue;
    outputs.set(symbol.name, ts.displayPartsToString(symbol.getDocumentationComment(checker)));
  }
});

const cloudOnly = () => new Set(CLOUDS.all().flatMap((c) => Object.keys(c.inputs)));
const commonNames = () => Object.keys(inputFields()).filter((name) => !cloudOnly().has(name));

/** Defaults check() applies for this cloud (from check itself, not from a list kept here). */
function runtimeDefaults(cloudName: string): Record<string, unknown> {
  const given = { cloud: cloudName, clusterId: CLOUDS.require(cloudName).exampleClusterId };
  return Object.fromEntries(Object.entries(checkInputs(given).inputs).filter(([key]) => !(key in given)));
}

describe("documented input types and the run-time schema cannot drift apart", () => {
  it("the args union has one member per registered cloud, discriminated by its name", () => {
    expect([...documented.keys()].sort()).toEqual(CLOUDS.names().sort());
  });

  it.each(["tencentcloud", "zillizcloud"])("%s: the same input names (common ones and its own)", (cloudName) => {
    const names = [...documented.get(cloudName)!.keys()].sort();
    expect(names).toEqual([...commonNames(), ...Object.keys(CLOUDS.require(cloudName).inputs)].sort());
  });

  it.each(["tencentcloud", "zillizcloud"])("%s: required exactly where check() requires a value", (cloudName) => {
    const required = checkInputs({}).failures.map((f) => f.property).sort();
    const documentedRequired = [...documented.get(cloudName)!].filter(([, input]) => !input.optional).map(([name]) => name).sort();
    expect(documentedRequired).toEqual(required);
  });

  it.each(["tencentcloud", "zillizcloud"])("%s: the same value types (booleans, numbers, strings, the same enum values)", (cloudName) => {
    const fields = inputFields();
    for (const [name, input] of documented.get(cloudName)!) {
      if (name === "cloud") {
        expect(input.shape, name).toEqual({ kind: "enum", values: [cloudName] });
        continue;
      }
      expect(input.shape, name).toEqual(shapeOfSchema(fields[name]));
    }
  });

  it.each(["tencentcloud", "zillizcloud"])("%s: every input is documented, and every default check() applies is the documented one", (cloudName) => {
    const defaults = runtimeDefaults(cloudName);
    for (const [name, input] of documented.get(cloudName)!) {
      expect(input.doc.length, `${name} has no doc comment`).toBeGreaterThan(20);
      const stated = [...input.doc.matchAll(/Default `([^`]+)`/g)].map((m) => m[1]);
      if (name in defaults) expect(stated, name).toEqual([JSON.stringify(defaults[name])]);
      // A backticked default the schema does not apply would be a promise nothing keeps.
      else expect(stated, `${name} documents a default check() does not apply`).toEqual([]);
    }
  });

  it("every input and every observed field is a documented output of ClusterPowerState", () => {
    const expected = [...new Set([...commonNames(), ...CLOUDS.all().flatMap((c) => Object.keys(c.inputs)), ...OBSERVED_FIELDS])];
    const missing = expected.filter((name) => !outputs.has(name));
    expect(missing, "declare them in src/resource.ts").toEqual([]);
    const undocumented = [...outputs].filter(([, doc]) => doc.length < 15).map(([name]) => name);
    expect(undocumented, "outputs without a doc comment").toEqual([]);
  });
});
