import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { UNKNOWN } from "../src/provider/schema";

/**
 * Plays the Pulumi engine's part against the real dynamic-provider host of @pulumi/pulumi: spawns
 * `cmd/dynamic-provider` from the program directory (as the engine does), and calls it over gRPC
 * with the SDK's own stubs and the engine's marshalling (Configure first; Check gets old inputs;
 * Diff/Update/Delete get old outputs; `__provider` carried; secrets unwrapped). Used by the test
 * harness and by `npm run demo`, which stands in for the Pulumi CLI (not installable here).
 */

// The generated stubs check instanceof against their own copies of grpc-js and google-protobuf.
const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const grpc: any = sdkRequire("@grpc/grpc-js");
const rpc: any = sdkRequire("./proto/provider_grpc_pb");
const pb: any = sdkRequire("./proto/provider_pb");
const statusPb: any = sdkRequire("./proto/status_pb");
const { Struct }: any = sdkRequire("google-protobuf/google/protobuf/struct_pb");
const { Empty }: any = sdkRequire("google-protobuf/google/protobuf/empty_pb");

/** The engine's placeholder for a value not known yet (preview). */
export const UNKNOWN_VALUE = UNKNOWN;
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export type Props = Record<string, unknown>;

/** The engine's wrapper for a secret value on the wire. */
export function secretValue(value: unknown): Props {
  return { [SECRET_SIG_KEY]: SECRET_SIG, value };
}

export function isSecretValue(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Props)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** The host says acceptSecrets=false, so the engine strips secret wrappers from resource properties. */
export function unwrapSecrets<T>(value: T): T {
  if (isSecretValue(value)) return unwrapSecrets(value.value) as T;
  if (Array.isArray(value)) return value.map(unwrapSecrets) as T;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)])) as T;
  }
  return value;
}

/** A gRPC failure from the host, with the partial-result detail when the provider threw {id, properties, reasons}. */
export class ProviderCallError extends Error {
  override readonly name = "ProviderCallError";
  constructor(
    readonly method: string,
    readonly code: number,
    readonly details: string,
    readonly initFailed?: { id: string; properties: Props; reasons: string[] },
  ) {
    super(`${method} failed (gRPC ${code}): ${details}`);
  }
}

export interface CheckReply {
  inputs: Props;
  failures: Array<{ property: string; reason: string }>;
}

export const DIFF = { UNKNOWN: 0, NONE: 1, SOME: 2 } as const;

export interface DiffReply {
  changes: number;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export interface HostOptions {
  /** The program directory; the host resolves `require()` from its node_modules. */
  cwd: string;
  project: string;
  env?: NodeJS.ProcessEnv;
}

/** One running dynamic-provider host and a typed client for it. */
export class ProviderHost {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: any,
    /** Milliseconds from spawn to the port on stdout. */
    readonly startMs: number,
    private readonly output: string[],
  ) {}

  static async start(options: HostOptions): Promise<ProviderHost> {
    const script = sdkRequire.resolve("./cmd/dynamic-provider/index.js");
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, PULUMI_NODEJS_PROJECT: options.project, PULUMI_PROJECT: options.project };
    // The host never dials the engine; an engine address makes the SDK try.
    delete env.PULUMI_NODEJS_ENGINE;
    delete env.PULUMI_NODEJS_MONITOR;
    const started = performance.now();
    const child = spawn(process.execPath, [script, "127.0.0.1:1"], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const output: string[] = [];
    const port = await new Promise<string>((resolve, reject) => {
      let buffered = "";
      const onData = (chunk: Buffer) => {
        buffered += chunk.toString("utf8");
        const newline = buffered.indexOf("\n");
        if (newline < 0) return;
        child.stdout!.off("data", onData);
        child.stdout!.on("data", (c: Buffer) => output.push(c.toString("utf8")));
        const rest = buffered.slice(newline + 1);
        if (rest) output.push(rest);
        resolve(buffered.slice(0, newline).trim());
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", (c: Buffer) => output.push(c.toString("utf8")));
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`dynamic-provider host exited with ${code} before printing its port: ${output.join("")}`)));
    });
    const startMs = performance.now() - started;
    const client = new rpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new ProviderHost(child, client, startMs, output);
  }

  /** Everything the host printed after its port line (provider console output, errors). */
  logs(): string {
    return this.output.join("");
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.kill("SIGTERM");
    });
  }

  private call<T>(method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      this.client[method](request, (error: any, reply: T) => {
        if (error) reject(toCallError(method, error));
        else resolve(reply);
      });
    });
  }

  /** The engine sends the whole stack config, namespaced, secrets wrapped. */
  async configure(config: Record<string, string>, secretKeys: string[] = []): Promise<{ acceptSecrets: boolean }> {
    const args: Props = {};
    for (const [key, value] of Object.entries(config)) args[key] = secretKeys.includes(key) ? secretValue(value) : value;
    const req = new pb.ConfigureRequest();
    req.setArgs(Struct.fromJavaScript(args));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    const reply: any = await this.call("configure", req);
    return { acceptSecrets: reply.getAcceptsecrets() };
  }

  async check(urn: string, olds: Props, news: Props): Promise<CheckReply> {
    const req = new pb.CheckRequest();
    req.setUrn(urn);
    req.setOlds(Struct.fromJavaScript(olds));
    req.setNews(Struct.fromJavaScript(news));
    const reply: any = await this.call("check", req);
    return {
      inputs: reply.getInputs()?.toJavaScript() ?? {},
      failures: reply.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(urn: string, id: string, olds: Props, news: Props, oldInputs: Props): Promise<DiffReply> {
    const req = new pb.DiffRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(Struct.fromJavaScript(olds));
    req.setNews(Struct.fromJavaScript(news));
    req.setOldInputs(Struct.fromJavaScript(oldInputs));
    const reply: any = await this.call("diff", req);
    return { changes: reply.getChanges(), replaces: reply.getReplacesList(), deleteBeforeReplace: reply.getDeletebeforereplace() };
  }

  async create(urn: string, properties: Props, timeoutSeconds = 0): Promise<{ id: string; outputs: Props }> {
    const req = new pb.CreateRequest();
    req.setUrn(urn);
    req.setProperties(Struct.fromJavaScript(properties));
    req.setTimeout(timeoutSeconds);
    const reply: any = await this.call("create", req);
    return { id: reply.getId(), outputs: reply.getProperties()?.toJavaScript() ?? {} };
  }

  async read(urn: string, id: string, properties: Props, inputs: Props): Promise<{ id: string; outputs: Props; inputs?: Props }> {
    const req = new pb.ReadRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(Struct.fromJavaScript(properties));
    req.setInputs(Struct.fromJavaScript(inputs));
    const reply: any = await this.call("read", req);
    return { id: reply.getId(), outputs: reply.getProperties()?.toJavaScript() ?? {}, inputs: reply.getInputs()?.toJavaScript() };
  }

  async update(urn: string, id: string, olds: Props, news: Props, oldInputs: Props, timeoutSeconds = 0): Promise<{ outputs: Props }> {
    const req = new pb.UpdateRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(Struct.fromJavaScript(olds));
    req.setNews(Struct.fromJavaScript(news));
    req.setOldInputs(Struct.fromJavaScript(oldInputs));
    req.setTimeout(timeoutSeconds);
    const reply: any = await this.call("update", req);
    return { outputs: reply.getProperties()?.toJavaScript() ?? {} };
  }

  async delete(urn: string, id: string, properties: Props, oldInputs: Props): Promise<void> {
    const req = new pb.DeleteRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(Struct.fromJavaScript(properties));
    req.setOldInputs(Struct.fromJavaScript(oldInputs));
    await this.call("delete", req);
  }

  async cancel(): Promise<void> {
    await this.call("cancel", new Empty());
  }
}

function toCallError(method: string, error: any): ProviderCallError {
  let initFailed: ProviderCallError["initFailed"];
  const raw = error?.metadata?.get?.("grpc-status-details-bin")?.[0];
  if (raw) {
    const status = statusPb.Status.deserializeBinary(new Uint8Array(raw));
    for (const any of status.getDetailsList()) {
      if (!String(any.getTypeUrl()).endsWith("pulumirpc.ErrorResourceInitFailed")) continue;
      const detail = pb.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
      initFailed = { id: detail.getId(), properties: detail.getProperties()?.toJavaScript() ?? {}, reasons: detail.getReasonsList() };
    }
  }
  return new ProviderCallError(method, error?.code ?? -1, String(error?.details ?? error?.message ?? error), initFailed);
}

// ------------------------------------------------------------------------------------------------
// The engine's step logic for one stack of dynamic resources (what `pulumi preview/up/refresh/destroy` send).

/** A resource as the program registered it (inputs as the SDK serialized them, `__provider` included). */
export interface RegisteredResource {
  urn: string;
  type: string;
  name: string;
  inputs: Props;
}

/** One resource in the stack's state. */
export interface StateEntry {
  urn: string;
  type: string;
  name: string;
  id: string;
  inputs: Props;
  outputs: Props;
}

export type StepOp = "create" | "same" | "update" | "replace" | "delete" | "refresh";

export interface Step {
  urn: string;
  name: string;
  op: StepOp;
  /** Input keys whose values differ (as the CLI shows them). */
  changed: string[];
  replaces: string[];
  /** Refresh only: the live state differs from the inputs (the engine shows it as drift). */
  drift?: boolean;
  /** Refresh only: the cloud says the cluster is gone; the resource left state. */
  gone?: boolean;
  before?: Props;
  /** The checked inputs the step was planned with (preview shows these). */
  planned?: Props;
  after?: Props;
  failures?: CheckReply["failures"];
  error?: ProviderCallError;
  ms: number;
}

/** Engine-side bookkeeping over a ProviderHost: holds state and runs preview/up/refresh/destroy. */
export class Engine {
  readonly state = new Map<string, StateEntry>();

  constructor(private readonly host: ProviderHost) {}

  private async plan(resource: RegisteredResource): Promise<{ step: Step; checked?: Props; old?: StateEntry }> {
    const started = performance.now();
    const old = this.state.get(resource.urn);
    const news = unwrapSecrets(resource.inputs);
    const base = { urn: resource.urn, name: resource.name, changed: [] as string[], replaces: [] as string[] };
    const checked = await this.host.check(resource.urn, old ? old.inputs : {}, news);
    if (checked.failures.length > 0) {
      return { step: { ...base, op: old ? "update" : "create", failures: checked.failures, ms: performance.now() - started } };
    }
    if (!old) return { step: { ...base, op: "create", planned: checked.inputs, ms: performance.now() - started }, checked: checked.inputs };
    const diff = await this.host.diff(resource.urn, old.id, old.outputs, checked.inputs, old.inputs);
    const changed = changedKeys(old.inputs, checked.inputs);
    const op: StepOp = diff.changes !== DIFF.SOME ? "same" : diff.replaces.length > 0 ? "replace" : "update";
    return {
      step: { ...base, op, changed, replaces: diff.replaces, before: old.outputs, planned: checked.inputs, ms: performance.now() - started },
      checked: checked.inputs,
      old,
    };
  }

  /** `pulumi preview`: Check and Diff only; nothing is created or changed. */
  async preview(resources: RegisteredResource[]): Promise<Step[]> {
    const steps = await Promise.all(resources.map((r) => this.plan(r).then((p) => p.step, (e) => failedStep(r, "create", e))));
    const wanted = new Set(resources.map((r) => r.urn));
    for (const entry of this.state.values()) if (!wanted.has(entry.urn)) steps.push(deleteStep(entry, 0));
    return steps;
  }

  /** `pulumi up`: creates and updates in parallel, then deletes what the program no longer declares. */
  async up(resources: RegisteredResource[]): Promise<Step[]> {
    const steps = await Promise.all(resources.map((r) => this.upOne(r)));
    const wanted = new Set(resources.map((r) => r.urn));
    for (const entry of [...this.state.values()].reverse()) {
      if (!wanted.has(entry.urn)) steps.push(await this.deleteOne(entry));
    }
    return steps;
  }

  private async upOne(resource: RegisteredResource): Promise<Step> {
    const started = performance.now();
    let planned: Awaited<ReturnType<Engine["plan"]>>;
    try {
      planned = await this.plan(resource);
    } catch (error) {
      return failedStep(resource, "create", error);
    }
    const { step, checked, old } = planned;
    if (!checked || step.op === "same") return step;
    const done = (extra: Partial<Step>): Step => ({ ...step, ...extra, ms: performance.now() - started });
    try {
      if (step.op === "create") {
        const created = await this.host.create(resource.urn, checked, timeoutOf(checked));
        this.remember(resource, created.id, checked, created.outputs);
        return done({ after: created.outputs });
      }
      if (step.op === "update") {
        const updated = await this.host.update(resource.urn, old!.id, old!.outputs, checked, old!.inputs, timeoutOf(checked));
        this.remember(resource, old!.id, checked, updated.outputs);
        return done({ after: updated.outputs });
      }
      // replace: this provider asks for delete-before-replace; honour whichever it said.
      await this.host.delete(resource.urn, old!.id, old!.outputs, old!.inputs);
      this.state.delete(resource.urn);
      const created = await this.host.create(resource.urn, checked, timeoutOf(checked));
      this.remember(resource, created.id, checked, created.outputs);
      return done({ after: created.outputs });
    } catch (error) {
      const callError = asCallError(error);
      // A partial result (ErrorResourceInitFailed) is recorded in state, as the engine does.
      if (callError.initFailed?.id) this.remember(resource, callError.initFailed.id, checked, callError.initFailed.properties);
      return done({ error: callError, after: callError.initFailed?.properties });
    }
  }

  /** `pulumi refresh`: Read each resource, then Diff(refreshed outputs, old inputs) to show drift. */
  async refresh(): Promise<Step[]> {
    return Promise.all(
      [...this.state.values()].map(async (entry) => {
        const started = performance.now();
        const base: Step = { urn: entry.urn, name: entry.name, op: "refresh", changed: [], replaces: [], before: entry.outputs, ms: 0 };
        try {
          const read = await this.host.read(entry.urn, entry.id, entry.outputs, entry.inputs);
          if (!read.id) {
            this.state.delete(entry.urn);
            return { ...base, gone: true, ms: performance.now() - started };
          }
          const refreshed: StateEntry = { ...entry, outputs: read.outputs, inputs: read.inputs ?? entry.inputs };
          this.state.set(entry.urn, refreshed);
          const diff = await this.host.diff(entry.urn, entry.id, refreshed.outputs, refreshed.inputs, refreshed.inputs);
          const changed = changedKeys(entry.outputs, refreshed.outputs);
          return { ...base, changed, drift: diff.changes === DIFF.SOME, after: refreshed.outputs, ms: performance.now() - started };
        } catch (error) {
          return { ...base, error: asCallError(error), ms: performance.now() - started };
        }
      }),
    );
  }

  /** `pulumi destroy`: Delete with each resource's old outputs (and so its stored `__provider`). */
  async destroy(): Promise<Step[]> {
    const steps: Step[] = [];
    for (const entry of [...this.state.values()].reverse()) steps.push(await this.deleteOne(entry));
    return steps;
  }

  private async deleteOne(entry: StateEntry): Promise<Step> {
    const started = performance.now();
    try {
      await this.host.delete(entry.urn, entry.id, entry.outputs, entry.inputs);
      this.state.delete(entry.urn);
      return deleteStep(entry, performance.now() - started);
    } catch (error) {
      return { ...deleteStep(entry, performance.now() - started), error: asCallError(error) };
    }
  }

  private remember(resource: RegisteredResource, id: string, inputs: Props, outputs: Props): void {
    this.state.set(resource.urn, { urn: resource.urn, type: resource.type, name: resource.name, id, inputs, outputs });
  }
}

function timeoutOf(inputs: Props): number {
  return typeof inputs.timeoutSeconds === "number" ? inputs.timeoutSeconds : 0;
}

function deleteStep(entry: StateEntry, ms: number): Step {
  return { urn: entry.urn, name: entry.name, op: "delete", changed: [], replaces: [], before: entry.outputs, ms };
}

function failedStep(resource: RegisteredResource, op: StepOp, error: unknown): Step {
  return { urn: resource.urn, name: resource.name, op, changed: [], replaces: [], error: asCallError(error), ms: 0 };
}

function asCallError(error: unknown): ProviderCallError {
  if (error instanceof ProviderCallError) return error;
  return new ProviderCallError("engine", -1, error instanceof Error ? error.message : String(error));
}

/** Keys whose values differ, `__provider` aside (the CLI would list those). */
export function changedKeys(before: Props, after: Props): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete("__provider");
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

export function urnOf(stack: string, project: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}
