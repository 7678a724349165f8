// PLACEHOLDER: replaced by the Zilliz emulator implementation.
import type { CloudEmulator, EmulatorContext, IncomingCall, Outcome } from "./server";
export interface ZillizSeed {}
export class ZillizEmulator implements CloudEmulator {
  readonly cloud = "zillizcloud" as const;
  constructor(readonly context: EmulatorContext, readonly seed?: ZillizSeed) {}
  accepts(call: IncomingCall): boolean { return /^\/v[12]\//.test(call.path); }
  async handle(_call: IncomingCall): Promise<Outcome> { return { reply: { status: 501, body: "not yet" } }; }
}
