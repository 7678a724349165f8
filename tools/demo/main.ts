import { REPO_ROOT } from "../paths";
import { startEmulator, type Emulator } from "../../src/emulator/server";
import { Engine, ProviderHost, type RegisteredResource, type Step } from "../engine-client";
import { evaluateProgram } from "./evaluate";
import { loadStack, type StackSettings } from "./stack";

/**
 * `npm run demo`: the root Pulumi program, end to end, against the local emulator. The Pulumi CLI
 * cannot be installed here, so this stands in for it: the program is evaluated with the SDK's mock
 * monitor (the registration path of a real run), and its resources are driven through Pulumi's own
 * dynamic-provider host over gRPC, exactly as the engine calls it.
 */

const ROOT = REPO_ROOT;
const STACK = "dev";
/** Emulated pause/resume time, and the matching scale for the provider's poll delays. */
const TRANSITION_MS = 600;
const TIME_SCALE = "0.02";

const out = (line = "") => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  out("cluster-power demo: this program stands in for the Pulumi CLI, which cannot be installed here.");
  out("It evaluates the root Pulumi program (Pulumi.yaml, stack \"dev\") with the SDK's mock monitor, then");
  out("drives the resources through @pulumi/pulumi's real dynamic-provider host over gRPC, as `pulumi up` does,");
  out("against the local emulator of both clouds. No real cloud is contacted.");
  out();

  const emulator = await startEmulator({ transitionMs: TRANSITION_MS });
  let host: ProviderHost | undefined;
  const problems: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  try {
    const endpoints = { "tencentcloud:endpoint": emulator.url, "zillizcloud:endpoint": emulator.url, "cluster-power:timeScale": TIME_SCALE };
    const stack = loadStack(ROOT, STACK, endpoints);
    out(`emulator: ${emulator.url} (pause/resume take ${TRANSITION_MS} ms; config cluster-power:timeScale=${TIME_SCALE})`);

    const paused = await evaluate(stack);
    host = await ProviderHost.start({ cwd: ROOT, project: stack.project, });
    out(`provider host: node ${"@pulumi/pulumi/cmd/dynamic-provider"} started in ${Math.round(host.startMs)} ms (cwd ${ROOT})`);
    const configured = await host.configure(stack.config, stack.secretKeys);
    out(`Configure: whole stack config sent, credentials as secrets (host acceptSecrets=${configured.acceptSecrets})`);
    const engine = new Engine(host);
    const bytes = Buffer.byteLength(String(paused.resources[0]?.inputs.__provider ?? ""));
    out(`__provider (the serialized shim stored with each resource): ${bytes} bytes`);

    section("pulumi preview  (powerState=paused)");
    let calls = emulator.log.count();
    print(await engine.preview(paused.resources));
    expect(emulator.log.count() === calls, "preview made API calls");
    out(`  cloud API calls during preview: ${emulator.log.count() - calls}`);

    section("pulumi up  (powerState=paused)");
    expectOk(print(await engine.up(paused.resources)), expect);
    observed(engine, emulator);
    const sizes = [...engine.state.values()].map((e) => Buffer.byteLength(JSON.stringify({ inputs: e.inputs, outputs: e.outputs })));
    out(`  state per resource (inputs + outputs, __provider in both): ${Math.min(...sizes)}-${Math.max(...sizes)} bytes`);

    section("pulumi up  again, nothing changed");
    calls = writes(emulator);
    const again = print(await engine.up(paused.resources));
    expect(again.every((s) => s.op === "same"), "second up was not a no-op");
    out(`  pause/resume calls: ${writes(emulator) - calls}`);

    const tencent = pick(paused.resources, "tencentcloud");
    const zilliz = pick(paused.resources, "zillizcloud");
    section(`out of band: someone resumes ${tencent.inputs.clusterId} and ${zilliz.inputs.clusterId} in the console`);
    emulator.part("tencentcloud").autoResume(String(tencent.inputs.clusterId));
    emulator.part("zillizcloud").resumeOutOfBand(String(zilliz.inputs.clusterId), { immediate: true });
    section("pulumi refresh");
    const refreshed = print(await engine.refresh());
    expect(refreshed.filter((s) => s.drift).length === 2, "refresh did not report the two drifted clusters");
    section("pulumi up  (corrects the drift)");
    expectOk(print(await engine.up(paused.resources)), expect);
    observed(engine, emulator);

    section("pulumi config set powerState running && pulumi up");
    const running = await evaluate(loadStack(ROOT, STACK, { ...endpoints, powerState: "running" }));
    print(await engine.preview(running.resources));
    out("  ...applying");
    expectOk(print(await engine.up(running.resources)), expect);
    observed(engine, emulator);

    // The Tencent cluster that is handed back running on destroy (onDelete "resume"), if any.
    const idle = running.resources.find((r) => r.inputs.cloud === "tencentcloud" && r.inputs.onDelete === "resume") ?? tencent;
    section(`Tencent auto-pauses idle ${idle.inputs.clusterId}; pulumi refresh + up`);
    emulator.part("tencentcloud").autoPause(String(idle.inputs.clusterId));
    print(await engine.refresh());
    calls = writes(emulator);
    const tolerated = print(await engine.up(running.resources));
    expect(tolerated.every((s) => s.op === "same") && writes(emulator) === calls, "up fought Tencent's auto-pause");
    out('  (an auto-paused serverless cluster satisfies "running": it wakes on the first connection; allowAutoPause: false makes it strict)');

    section("pulumi destroy");
    calls = writes(emulator);
    expectOk(print(await engine.destroy()), expect);
    const handBacks = running.resources.filter((r) => r.inputs.onDelete === "resume").length;
    out(`  pause/resume calls: ${writes(emulator) - calls} (onDelete "leave" touches nothing; "resume" woke the auto-paused ${idle.inputs.clusterId})`);
    expect(writes(emulator) - calls <= handBacks, "destroy made calls for onDelete=leave resources");
    expect(emulator.part("tencentcloud").getCluster(String(idle.inputs.clusterId))?.serverlessStatus === "resume" || idle.inputs.onDelete !== "resume", "onDelete=resume did not wake the cluster");
    observed(engine, emulator, running.resources);

    await offHours(host, emulator, endpoints, expect);
  } catch (error) {
    problems.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    await host?.stop();
    await emulator.stop();
  }
  out();
  if (problems.length > 0) {
    out(`demo FAILED:\n  ${problems.join("\n  ")}`);
    if (host) out(`provider host output:\n${host.logs()}`);
    return 1;
  }
  out("demo finished: every step behaved as a Pulumi user would expect.");
  return 0;
}

/**
 * The same fleet on an office-hours schedule (Asia/Shanghai, Mon-Fri 08:00-20:00, until-next-edge),
 * evaluated at three instants the way a scheduled `pulumi up` would see them.
 */
async function offHours(host: ProviderHost, emulator: Emulator, endpoints: Record<string, unknown>, expect: (ok: boolean, what: string) => void) {
  const schedule = { timezone: "Asia/Shanghai", running: ["Mon-Fri 08:00-20:00"], overrides: "until-next-edge" };
  const at = (now: string) => evaluate(loadStack(ROOT, STACK, { ...endpoints, schedule, now }));
  const engine = new Engine(host);

  section("off-hours: schedule Mon-Fri 08:00-20:00 Asia/Shanghai, overrides until-next-edge; up at Mon 21:00 (edge 20:00 passed)");
  const evening = await at("2026-11-30T13:00:00Z");
  expectOk(print(await engine.up(evening.resources)), expect);
  observed(engine, emulator);

  const late = pick(evening.resources, "tencentcloud");
  section(`a developer resumes ${late.inputs.clusterId} at 22:00 to debug; the 22:15 run: refresh + up`);
  emulator.part("tencentcloud").autoResume(String(late.inputs.clusterId));
  const refreshed = print(await engine.refresh());
  const kept = refreshed.find((s) => s.urn === late.urn);
  out(`  ${late.name}: overriddenSince ${String(kept?.after?.overriddenSince)}; ${String(kept?.after?.overrideRule)}`);
  expect(kept?.after?.overriddenSince !== undefined && kept.drift === false, "a manual resume under until-next-edge was reported as drift");
  let calls = writes(emulator);
  const respected = print(await engine.up((await at("2026-11-30T14:15:00Z")).resources));
  expect(respected.every((s) => s.op === "same") && writes(emulator) === calls, "up fought a manual override before the next edge");
  out(`  pause/resume calls: ${writes(emulator) - calls} (the override stands until the next edge)`);

  section("Tue 09:00: the morning edge (running)");
  calls = writes(emulator);
  expectOk(print(await engine.up((await at("2026-12-01T01:00:00Z")).resources)), expect);
  out(`  pause/resume calls: ${writes(emulator) - calls} (${late.name} was running already, and an auto-paused Tencent cluster counts as running: no call for them)`);

  section("Tue 21:00: the evening edge pauses everything again, the overridden cluster included");
  expectOk(print(await engine.up((await at("2026-12-01T13:00:00Z")).resources)), expect);
  observed(engine, emulator);
  const live = emulator.part("tencentcloud").getCluster(String(late.inputs.clusterId))?.serverlessStatus;
  expect(live === "pause", `the next edge did not pause ${late.inputs.clusterId} (it is ${live})`);
  print(await engine.destroy());
}

async function evaluate(stack: StackSettings) {
  const evaluation = await evaluateProgram(stack);
  const scheduled = evaluation.resources[0]?.inputs.scheduledAt;
  const powerState = `powerState=${String(evaluation.resources[0]?.inputs.powerState)}${scheduled ? ` (schedule: since ${String(scheduled)})` : ""}`;
  out(`program evaluated (mock monitor): ${evaluation.resources.length} ClusterPowerState resources, ${powerState}`);
  return evaluation;
}

function pick(resources: RegisteredResource[], cloud: string): RegisteredResource {
  const found = resources.find((r) => r.inputs.cloud === cloud);
  if (!found) throw new Error(`the dev stack declares no ${cloud} cluster`);
  return found;
}

function writes(emulator: Emulator): number {
  return emulator.log.count({ action: ["PauseServerless", "ResumeServerless", "suspend", "resume"] });
}

function section(title: string): void {
  out();
  out(`== ${title}`);
}

const SYMBOL: Record<Step["op"], string> = { create: "+", same: " ", update: "~", replace: "+-", delete: "-", refresh: "r" };

function print(steps: Step[]): Step[] {
  for (const step of steps) {
    const after = step.after ?? step.planned ?? step.before ?? {};
    const id = `${after.cloud ?? ""} ${after.clusterId ?? ""}`.trim();
    let line = `  ${SYMBOL[step.op].padEnd(2)} ${step.op.padEnd(7)} ${step.name.padEnd(14)} ${id.padEnd(36)}`;
    if (step.failures?.length) line += ` check failed: ${step.failures.map((f) => f.reason).join("; ")}`;
    else if (step.op === "refresh") line += step.gone ? " gone: removed from state" : step.drift
          ? ` DRIFT: observed ${after.observedState}, want ${after.powerState}`
          : ` in sync (observed ${after.observedState}${after.observedState !== after.powerState ? `, want ${after.powerState}: ${after.overriddenSince ? "manual override respected" : "auto-pause tolerated"}` : ""})`;
    else if (step.op === "create" && !step.after) line += ` plan: ${after.powerState}`;
    else if (step.op === "delete") line += ` onDelete=${after.onDelete}`;
    else if (step.changed.length) line += ` ${step.changed.map((k) => `${k}: ${fmt(step.before?.[k])} -> ${fmt(after[k])}`).join(", ")}`;
    else if (step.op === "update") line += ` observed ${step.before?.observedState}, want ${after.powerState}`;
    if (step.after?.observedState && step.op !== "refresh") {
      line += `  => ${step.after.observedState} (${step.after.rawStatus})`;
      if (step.after.flowId !== undefined) line += ` FlowId ${step.after.flowId}`;
      if (step.after.prompt !== undefined) line += ` prompt "${truncate(String(step.after.prompt), 48)}"`;
    }
    if (step.error) line += `\n       ERROR ${step.error.details}`;
    if (step.ms >= 1) line += `  [${(step.ms / 1000).toFixed(2)} s]`;
    out(line);
  }
  return steps;
}

function observed(engine: Engine, emulator: Emulator, resources?: RegisteredResource[]): void {
  const ids = resources ? resources.map((r) => String(r.inputs.clusterId)) : [...engine.state.values()].map((e) => String(e.outputs.clusterId));
  const live = ids.map((id) => `${id}=${emulator.part("tencentcloud").getCluster(id)?.serverlessStatus ?? emulator.part("zillizcloud").getCluster(id)?.status ?? "?"}`);
  out(`  live in the emulator: ${live.join("  ")}`);
}

function expectOk(steps: Step[], expect: (ok: boolean, what: string) => void): void {
  for (const step of steps) expect(!step.error && !step.failures?.length, `${step.op} ${step.name}: ${step.error?.details ?? step.failures?.map((f) => f.reason).join("; ")}`);
}

function fmt(value: unknown): string {
  return value === undefined ? "(none)" : JSON.stringify(value);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
