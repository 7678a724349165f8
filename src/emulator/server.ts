import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CLOUDS, type CloudName, type EmulatorPartOf } from "../clouds";
import type { CloudEmulator, EmulatorContext, Outcome, Reply, IncomingCall } from "./contract";
import { FaultQueue } from "./faults";
import { RequestLog } from "./request-log";

/**
 * The local cloud: one HTTP server on loopback that speaks every registered cloud's API at once.
 * Each cloud folder brings its part (src/clouds/<cloud>/emulator.ts); a request goes to the first
 * part that accepts it.
 */

export interface EmulatorOptions {
  /** 0 (default) picks a free port. Always bound to 127.0.0.1. */
  port?: number;
  /** How long a pause/resume takes to settle, in ms (default 3000). */
  transitionMs?: number;
  /** Documented per-second limit enforced per key (default 20). */
  rateLimit?: number;
  /** Skew of the emulator's clock against the real one, for signature-expiry tests. */
  clockOffsetMs?: number;
  /** Per cloud name, that cloud's seed (its `emulator.seedSchema` shape); absent: its default. */
  seeds?: Readonly<Record<string, unknown>>;
}

export interface Emulator {
  readonly url: string;
  readonly port: number;
  readonly log: RequestLog;
  readonly faults: FaultQueue;
  /** The part of one cloud (typed for the built-in clouds), for test and demo controls. */
  part<Name extends CloudName>(cloud: Name): EmulatorPartOf<Name>;
  readonly parts: ReadonlyMap<string, CloudEmulator>;
  setTransitionMs(ms: number): void;
  setClockOffsetMs(ms: number): void;
  stop(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  let transitionMs = options.transitionMs ?? 3000;
  let clockOffsetMs = options.clockOffsetMs ?? 0;
  const context: EmulatorContext = {
    now: () => Date.now() + clockOffsetMs,
    transitionMs: () => transitionMs,
    rateLimit: options.rateLimit ?? 20,
    faults: new FaultQueue(),
    log: new RequestLog(),
  };
  const parts = new Map<string, CloudEmulator>();
  for (const cloud of CLOUDS.all()) parts.set(cloud.name, cloud.emulator.create(context, options.seeds?.[cloud.name]));
  const clouds = [...parts.values()];
  const hanging = new Set<ServerResponse>();

  const server = createServer(async (req, res) => {
    try {
      const call = await readCall(req);
      const cloud = clouds.find((c) => c.accepts(call));
      if (!cloud) {
        send(res, { status: 404, headers: { "content-type": "application/json" }, body: '{"message":"no such API on this emulator"}' });
        return;
      }
      const outcome = await cloud.handle(call);
      if ("reply" in outcome) send(res, outcome.reply);
      else stageFault(res, outcome.fault, hanging);
    } catch (error) {
      send(res, { status: 500, headers: { "content-type": "text/plain" }, body: `emulator bug: ${(error as Error).stack}` });
    }
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log: context.log,
    faults: context.faults,
    parts,
    part: <Name extends CloudName>(cloud: Name) => {
      const part = parts.get(cloud);
      if (!part) throw new Error(`no emulator part for cloud "${cloud}"`);
      return part as EmulatorPartOf<Name>;
    },
    setTransitionMs: (ms) => {
      transitionMs = ms;
    },
    setClockOffsetMs: (ms) => {
      clockOffsetMs = ms;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.socket?.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readCall(req: IncomingMessage): Promise<IncomingCall> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return { method: req.method ?? "GET", path: req.url ?? "/", headers, body: Buffer.concat(chunks).toString("utf8") };
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { "content-length": Buffer.byteLength(reply.body), ...reply.headers });
  res.end(reply.body);
}

function stageFault(res: ServerResponse, fault: Extract<Outcome, { fault: unknown }>["fault"], hanging: Set<ServerResponse>): void {
  switch (fault.kind) {
    case "http":
      send(res, {
        status: fault.status,
        headers: { "content-type": fault.contentType ?? "text/html" },
        body: fault.body ?? `<html><head><title>${fault.status}</title></head><body><center><h1>${fault.status} Bad Gateway</h1></center><hr><center>nginx</center></body></html>`,
      });
      return;
    case "malformed":
      send(res, { status: 200, headers: { "content-type": "application/json" }, body: fault.body ?? '{"Response": {"RequestId": "trunc' });
      return;
    case "reset":
      res.socket?.destroy();
      return;
    case "hang": {
      hanging.add(res);
      const timer = setTimeout(() => {
        hanging.delete(res);
        res.socket?.destroy();
      }, fault.ms ?? 10 * 60_000);
      res.on("close", () => {
        clearTimeout(timer);
        hanging.delete(res);
      });
      return;
    }
  }
}
