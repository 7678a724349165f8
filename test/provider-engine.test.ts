import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Evaluate from "../tools/demo/evaluate";
import type * as Stack from "../tools/demo/stack";
import { startEmulator, type Emulator } from "../src/emulator/server";
import { Engine, engineClient, ProviderHost, ROOT, type Props } from "./harness/provider-harness";

/**
 * The root program end to end, the way `npm run demo` runs it: evaluated under the mock monitor,
 * then preview/up/refresh/destroy through the real host with the engine's step logic.
 */

const cjs = createRequire(join(ROOT, "package.json"));
const { evaluateProgram } = cjs("./build/tools/demo/evaluate.js") as typeof Evaluate;
const { loadStack } = cjs("./build/tools/demo/stack.js") as typeof Stack;

let emulator: Emulator;
let host: ProviderHost;
let engine: Engine;
const writes = () => emulator.log.count({ action: ["PauseServerless", "ResumeServerless", "suspend", "resume"] });

beforeAll(async () => {
  emulator = await startEmulator({ transitionMs: 150 });
  host = await ProviderHost.start({ cwd: ROOT, project: "cluster-power" });
  engine = new Engine(host);
});
afterAll(async () => {
  await host?.stop();
  await emulator?.stop();
});

const stack = (overrides: Record<string, unknown> = {}) =>
  loadStack(ROOT, "dev", { "tencentcloud:endpoint": emulator.url, "zillizcloud:endpoint": emulator.url, "cluster-power:timeScale": "0.01", ...overrides });

describe("the root program through the engine client", () => {
  it("previews, applies, corrects drift, replaces, and destroys", async () => {
    const settings = stack();
    await host.configure(settings.config, settings.secretKeys);
    const paused = (await evaluateProgram(settings)).resources;

    const calls = emulator.log.count();
    const preview = await engine.preview(paused);
    expect(preview.map((s) => s.op)).toEqual(["create", "create", "create", "create"]);
    expect(emulator.log.count()).toBe(calls);

    const up = await engine.up(paused);
    expect(up.filter((s) => s.error || s.failures)).toEqual([]);
    expect(up.map((s) => s.after?.observedState)).toEqual(["paused", "paused", "paused", "paused"]);

    const before = writes();
    expect((await engine.up(paused)).map((s) => s.op)).toEqual(["same", "same", "same", "same"]);
    expect(writes()).toBe(before);

    emulator.part("zillizcloud").resumeOutOfBand("in01-3a8c1f5e2b7d9a4", { immediate: true });
    const refresh = await engine.refresh();
    expect(refresh.filter((s) => s.drift).map((s) => s.name)).toEqual(["orders-search"]);
    const corrected = await engine.up(paused);
    expect(Object.fromEntries(corrected.map((s) => [s.name, s.op]))).toEqual({
      "orders-db": "same",
      "analytics-db": "same",
      "orders-search": "update",
      "recs-hangzhou": "same",
    });
    expect(emulator.part("zillizcloud").getCluster("in01-3a8c1f5e2b7d9a4")?.status).toBe("STOPPED");

    // Point one resource at another cluster: delete-before-replace, then create.
    const moved = paused.map((r) => (r.name === "orders-db" ? { ...r, inputs: { ...r.inputs, clusterId: "cynosdbmysql-9tq4rb6c" } as Props } : r));
    const replaced = await engine.up(moved);
    expect(replaced.find((s) => s.name === "orders-db")).toMatchObject({ op: "replace", replaces: ["clusterId"] });
    expect(emulator.part("tencentcloud").getCluster("cynosdbmysql-9tq4rb6c")?.serverlessStatus).toBe("pause");

    const destroyed = await engine.destroy();
    expect(destroyed.every((s) => s.op === "delete" && !s.error)).toBe(true);
    expect(engine.state.size).toBe(0);
    // analytics-db has onDelete: resume in Pulumi.dev.yaml; the others were left paused.
    expect(emulator.part("tencentcloud").getCluster("cynosdbmysql-2k7d9xq1")?.serverlessStatus).toBe("resume");
    expect(emulator.part("tencentcloud").getCluster("cynosdbmysql-9tq4rb6c")?.serverlessStatus).toBe("pause");
  });
});

describe("the engine's marshalling", () => {
  it("strips secret wrappers from resource properties (the host does not accept secrets)", () => {
    const { secretValue, unwrapSecrets, isSecretValue } = engineClient;
    const wrapped = { endpoint: secretValue("https://x"), nested: { list: [secretValue(1), 2] }, plain: "p" };
    expect(isSecretValue(wrapped.endpoint)).toBe(true);
    expect(unwrapSecrets(wrapped)).toEqual({ endpoint: "https://x", nested: { list: [1, 2] }, plain: "p" });
  });
});
