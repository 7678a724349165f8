import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** Runs the BUILT command (dist/cli/main.js) as a child process, the way a user would. */

export const CLI = join(__dirname, "..", "dist", "cli", "main.js");

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm exec -- tsc -p .; npm test does it for you)`);
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: nothing inherited but PATH, so a developer's real keys never leak in. */
export function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "" };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export interface Started {
  child: ChildProcess;
  done: Promise<CliRun>;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout+stderr match `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/**
 * Suites keep the emulator's speed-up beside the credentials, in CLUSTER_POWER_TIME_SCALE; the CLI
 * takes it as its hidden --time-scale flag on the power commands (the product reads no such variable).
 */
function withTimeScale(args: string[], env: NodeJS.ProcessEnv): { args: string[]; env: NodeJS.ProcessEnv } {
  const { CLUSTER_POWER_TIME_SCALE: scale, ...rest } = env;
  if (scale === undefined || !["status", "pause", "resume"].includes(args[0])) return { args, env: rest };
  return { args: [...args, "--time-scale", scale], env: rest };
}

export function startCli(givenArgs: string[], givenEnv: NodeJS.ProcessEnv): Started {
  const { args, env } = withTimeScale(givenArgs, givenEnv);
  // Asynchronous on purpose: the emulator answering the child runs in this very process.
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  });
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
    for (const w of waiters) w();
  });
  const done = new Promise<CliRun>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout: out, stderr: err }));
  });
  return {
    child,
    done,
    stdout: () => out,
    stderr: () => err,
    waitFor: (pattern, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = (out + err).match(pattern);
          if (match) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; stdout: ${out}\nstderr: ${err}`));
        }, timeoutMs);
        waiters.add(check);
        check();
        void done.then(() => {
          if (waiters.has(check)) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`process ended before ${pattern}; stdout: ${out}\nstderr: ${err}`));
          }
        });
      }),
  };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return startCli(args, env).done;
}
