import { createRequire } from "node:module";
import { join } from "node:path";
import { secretConfigKeys } from "../../src/clouds";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/server";
import { DEMO_TENCENT_CREDENTIALS } from "../../src/clouds/tencent/emulator";
import { DEMO_ZILLIZ_API_KEY } from "../../src/clouds/zilliz/emulator";
import type * as EngineClient from "../../tools/engine-client";

/**
 * The engine-protocol harness: the real @pulumi/pulumi dynamic-provider host, spawned from the
 * project root, driven over gRPC by the same engine client `npm run demo` uses, against the local
 * emulator. Everything Pulumi-side is loaded as compiled CommonJS from dist/ (vitest's module
 * wrappers break closure serialization), so `npm run build` must have run (npm test's pretest does).
 */

export const ROOT = join(__dirname, "..", "..");
const cjs = createRequire(join(ROOT, "package.json"));

export const engineClient = cjs("./build/tools/engine-client.js") as typeof EngineClient;
export const { ProviderHost, Engine, DIFF, UNKNOWN_VALUE, ProviderCallError, urnOf } = engineClient;
export type Engine = EngineClient.Engine;
export type ProviderHost = EngineClient.ProviderHost;
export type Props = EngineClient.Props;

export const PROJECT = "harness";
export const TYPE = "pulumi-nodejs:dynamic/cluster-power:ClusterPowerState";

/** What `new dynamic.Resource(...)` puts in `__provider`: the SDK's serialization of the shared shim. */
export async function serializedShim(): Promise<{ text: string; containsSecrets: boolean }> {
  const pulumi = cjs("@pulumi/pulumi");
  // Exactly the SDK's own call in dynamic/index.js, variable name included (it is part of the text).
  const provider = cjs("./dist/provider/shim.js").providerShim;
  const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return { text: sf.text, containsSecrets: sf.containsSecrets };
}

export const SHIM_FIXTURE = join(ROOT, "test", "harness", "fixtures", "provider-shim.js.txt");

export const CREDENTIALS = {
  tencentSecretId: DEMO_TENCENT_CREDENTIALS.secretId,
  tencentSecretKey: DEMO_TENCENT_CREDENTIALS.secretKey,
  zillizApiKey: DEMO_ZILLIZ_API_KEY,
};

export function stackConfig(emulator: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [`${PROJECT}:unrelated`]: "value",
    "tencentcloud:secretId": CREDENTIALS.tencentSecretId,
    "tencentcloud:secretKey": CREDENTIALS.tencentSecretKey,
    "tencentcloud:endpoint": emulator.url,
    "zillizcloud:apiKey": CREDENTIALS.zillizApiKey,
    "zillizcloud:endpoint": emulator.url,
    // The emulator's clusters settle in a fraction of a second: poll on the same scale.
    "cluster-power:timeScale": "0.01",
    ...extra,
  };
}

export const SECRET_KEYS = secretConfigKeys();

export interface Harness {
  emulator: Emulator;
  host: ProviderHost;
  shim: string;
  urn(name: string): string;
  /** Pause/resume calls the emulator saw. */
  writes(): number;
  stop(): Promise<void>;
}

export async function startHarness(
  options: {
    emulator?: EmulatorOptions;
    config?: (emulator: Emulator) => Record<string, string>;
    configure?: boolean;
    /** Extra environment for the host; undefined removes a variable. */
    hostEnv?: NodeJS.ProcessEnv;
  } = {},
): Promise<Harness> {
  const emulator = await startEmulator({ transitionMs: 150, ...options.emulator });
  const host = await ProviderHost.start({ cwd: ROOT, project: PROJECT, env: { ...options.hostEnv } });
  if (options.configure !== false) await host.configure(options.config ? options.config(emulator) : stackConfig(emulator), SECRET_KEYS);
  const { text } = await serializedShim();
  return {
    emulator,
    host,
    shim: text,
    urn: (name) => urnOf("test", PROJECT, TYPE, name),
    writes: () => emulator.log.count({ action: ["PauseServerless", "ResumeServerless", "suspend", "resume"] }),
    stop: async () => {
      await host.stop();
      await emulator.stop();
    },
  };
}
