import type { FaultQueue, Fault } from "./faults";
import type { RequestLog } from "./request-log";

/** What a cloud's part of the emulator (src/clouds/<cloud>/emulator.ts) and the server share. */

export interface EmulatorContext {
  now(): number;
  transitionMs(): number;
  readonly rateLimit: number;
  readonly faults: FaultQueue;
  readonly log: RequestLog;
}

export interface IncomingCall {
  method: string;
  /** Path and query, e.g. "/v2/clusters/in01-abc/suspend". */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** What a cloud handler hands back: a reply, or a transport-level fault for the server to stage. */
export type Outcome = { reply: Reply } | { fault: Exclude<Fault, { kind: "error" } | { kind: "flow-failed" }> };

export interface CloudEmulator {
  readonly cloud: string;
  accepts(call: IncomingCall): boolean;
  handle(call: IncomingCall): Promise<Outcome>;
}

