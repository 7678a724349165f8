import * as pulumi from "@pulumi/pulumi";
import { urnOf, type RegisteredResource } from "../engine-client";
import { RESULT_MARKER } from "./evaluate";
import type { StackSettings } from "./stack";

/** Child process of evaluateProgram(): runs one program under setMocks and prints what it registered. */
async function main(): Promise<void> {
  const stack = JSON.parse(process.env.CLUSTER_POWER_EVALUATE ?? "{}") as StackSettings & { preview: boolean };
  pulumi.runtime.setAllConfig(stack.config, stack.secretKeys);
  const resources: RegisteredResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        resources.push({ urn: urnOf(stack.stack, stack.project, args.type, args.name), type: args.type, name: args.name, inputs: args.inputs });
        // The program sees its inputs echoed back (what preview shows before the provider runs).
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    stack.project,
    stack.stack,
    stack.preview,
  );
  const loaded = require(require.resolve(stack.main));
  // As Pulumi's Node.js runtime does: an exported function is the program; its result, the outputs.
  const program = typeof loaded === "function" ? await loaded() : loaded;
  await pulumi.runtime.disconnect();
  const outputs: Record<string, unknown> = {};
  // In preview, outputs that depend on the provider stay unknown and never resolve.
  if (!stack.preview) {
    for (const [key, value] of Object.entries(program ?? {})) {
      outputs[key] = pulumi.Output.isInstance(value) ? await new Promise((resolve) => value.apply(resolve)) : value;
    }
  }
  process.stdout.write(RESULT_MARKER + JSON.stringify({ resources, outputs }));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
