import { readFileSync } from "node:fs";
import { z } from "zod";
import { CLOUDS } from "../clouds";
import { UsageError } from "./args";

/** The --seed file of `cluster-power emulator`: one section per cloud, each checked by that cloud's schema. */

/** Per cloud name, its seed section as the cloud's own schema accepts it. */
export type EmulatorSeed = Readonly<Record<string, unknown>>;

/** Unknown keys are errors: a misspelt field would otherwise be ignored in silence. */
export function seedFileSchema(): z.ZodType<Record<string, unknown>> {
  const sections = Object.fromEntries(CLOUDS.all().map((cloud) => [cloud.name, cloud.emulator.seedSchema.optional()]));
  return z.object(sections).strict();
}

export function parseSeed(value: unknown, source: string): EmulatorSeed {
  const parsed = seedFileSchema().safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join(".") : "(top level)";
    throw new UsageError("--seed", `${source}: ${where}: ${issue.message}`);
  }
  return Object.fromEntries(Object.entries(parsed.data).filter(([, section]) => section !== undefined));
}

export function loadSeedFile(file: string): EmulatorSeed {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError("--seed", `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError("--seed", `${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseSeed(value, file);
}
