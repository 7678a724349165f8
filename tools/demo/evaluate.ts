import { spawn } from "node:child_process";
import { join } from "node:path";
import type { RegisteredResource } from "../engine-client";
import type { StackSettings } from "./stack";

/**
 * Evaluates a Pulumi program under the SDK's mock monitor (pulumi.runtime.setMocks) and returns
 * the resources it registered, with their inputs exactly as the SDK serialized them (`__provider`
 * included): the same registration path as a real `pulumi up`, minus the engine.
 *
 * Each evaluation runs in its own Node process: the SDK's runtime state is global, and closure
 * serialization needs plain CommonJS (vitest's module wrappers break it). TypeScript programs are
 * loaded with ts-node in transpile-only mode, as the Pulumi CLI does.
 */

export interface Evaluation {
  resources: RegisteredResource[];
  /** Stack outputs the program exported (resolved). */
  outputs: Record<string, unknown>;
}

export async function evaluateProgram(stack: StackSettings, options: { preview?: boolean } = {}): Promise<Evaluation> {
  const child = join(__dirname, "evaluate-child.js");
  const args = stack.main.endsWith(".ts") || !stack.main.endsWith(".js") ? ["-r", "ts-node/register/transpile-only"] : [];
  const proc = spawn(process.execPath, [...args, child], {
    cwd: stack.dir,
    env: { ...process.env, CLUSTER_POWER_EVALUATE: JSON.stringify({ ...stack, preview: options.preview ?? false }) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  proc.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => proc.once("exit", resolve));
  const marker = stdout.lastIndexOf(RESULT_MARKER);
  if (code !== 0 || marker < 0) {
    throw new Error(`evaluating ${stack.main} (stack ${stack.stack}) failed with exit code ${code}:\n${stderr || stdout}`);
  }
  return JSON.parse(stdout.slice(marker + RESULT_MARKER.length)) as Evaluation;
}

export const RESULT_MARKER = "\n@@cluster-power-evaluation@@";
