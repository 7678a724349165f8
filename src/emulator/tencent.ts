// PLACEHOLDER: replaced by the Tencent emulator implementation.
import type { CloudEmulator, EmulatorContext, IncomingCall, Outcome } from "./server";
export interface TencentSeed {}
export class TencentEmulator implements CloudEmulator {
  readonly cloud = "tencentcloud" as const;
  constructor(readonly context: EmulatorContext, readonly seed?: TencentSeed) {}
  accepts(call: IncomingCall): boolean { return call.method === "POST" && call.path === "/" && "x-tc-action" in call.headers; }
  async handle(_call: IncomingCall): Promise<Outcome> { return { reply: { status: 501, body: "not yet" } }; }
}
