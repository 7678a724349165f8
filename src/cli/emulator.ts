import { describeError } from "../core/errors";
import { startEmulator, type Emulator } from "../emulator/server";
import { DEFAULT_TENCENT_SEED, DEMO_TENCENT_CREDENTIALS } from "../emulator/tencent";
import { DEMO_ZILLIZ_API_KEY } from "../emulator/zilliz";
import { table } from "./format";
import { EXIT } from "./outcome";
import type { EmulatorArgs } from "./program";
import type { ProgressStream } from "./progress";
import { loadSeedFile, type EmulatorSeed } from "./seed";

/** `cluster-power emulator`: the local cloud for both clouds, until Ctrl-C / SIGTERM. */

export interface EmulatorIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  signal: AbortSignal;
}

export async function runEmulator(args: EmulatorArgs, io: EmulatorIo): Promise<number> {
  let seed: EmulatorSeed = {};
  try {
    if (args.seedFile) seed = loadSeedFile(args.seedFile);
  } catch (error) {
    io.stderr.write(`error: ${describeError(error)}\n(run "cluster-power emulator --help" for usage)\n`);
    return EXIT.usage;
  }

  let emulator: Emulator;
  try {
    emulator = await startEmulator({ port: args.port, transitionMs: args.transitionMs, ...seed });
  } catch (error) {
    io.stderr.write(`error: could not start the emulator on 127.0.0.1:${args.port}: ${describeError(error)}\n`);
    return EXIT.failed;
  }

  io.stdout.write(banner(emulator, seed, args.transitionMs));
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await emulator.stop();
  io.stdout.write("emulator stopped\n");
  return EXIT.ok;
}

/** What a user needs to point the CLI, the provider or their own code at the emulator. */
export function banner(emulator: Emulator, seed: EmulatorSeed, transitionMs: number | undefined): string {
  const tencentKey = seed.tencent?.keys?.[0] ?? DEMO_TENCENT_CREDENTIALS;
  const tencentClusters = (seed.tencent ?? DEFAULT_TENCENT_SEED).clusters ?? [];
  const region = tencentClusters[0]?.region ?? "ap-guangzhou";

  const rows: string[][] = [["CLOUD", "CLUSTER", "REGION", "STATUS", "NOTE"]];
  for (const { clusterId } of tencentClusters) {
    const view = emulator.tencent.getCluster(clusterId);
    if (!view) continue;
    const note = view.dbMode === "NORMAL" ? "provisioned (NORMAL): cannot be paused" : view.status !== "running" ? `status ${view.status}` : "";
    rows.push(["tencentcloud", clusterId, view.region, view.dbMode === "NORMAL" ? "-" : view.serverlessStatus, note]);
  }

  for (const view of emulator.zilliz.listClusters()) {
    const note = view.plan === "Free" || view.plan === "Serverless" ? `${view.plan} plan: cannot be suspended` : `${view.plan} plan`;
    rows.push(["zillizcloud", view.clusterId, view.regionId, view.status, note]);
  }
  const zillizKey = seed.zilliz?.apiKeys?.[0] ?? DEMO_ZILLIZ_API_KEY;

  return [
    `cluster-power emulator listening on ${emulator.url} (Tencent Cloud API 3.0 and Zilliz Cloud v1/v2; pause/resume take ${transitionMs ?? 3000} ms)`,
    "",
    "# Tencent Cloud demo credentials (paste into your shell):",
    `export TENCENTCLOUD_SECRET_ID=${tencentKey.secretId} TENCENTCLOUD_SECRET_KEY=${tencentKey.secretKey}` +
      ("token" in tencentKey && tencentKey.token ? ` TENCENTCLOUD_SESSION_TOKEN=${tencentKey.token}` : "") +
      ` TENCENTCLOUD_REGION=${region} CLUSTER_POWER_TENCENTCLOUD_ENDPOINT=${emulator.url}`,
    "",
    "# Zilliz Cloud demo credentials (v2; for --api-version v1 also pass --region):",
    `export ZILLIZCLOUD_API_KEY=${zillizKey} CLUSTER_POWER_ZILLIZCLOUD_ENDPOINT=${emulator.url}`,
    "",
    "# Seeded clusters:",
    table(rows),
    "",
    "Press Ctrl-C to stop.",
    "",
  ].join("\n");
}
