import { readFileSync } from "node:fs";
import { z } from "zod";
import type { TencentSeed } from "../emulator/tencent";
import type { ZillizSeed } from "../emulator/zilliz";
import { UsageError } from "./args";

/** The --seed file of `cluster-power emulator`: clusters (and keys) of both clouds, checked with zod. */

const nonEmpty = z.string().trim().min(1, "must be a non-empty string");

const tencentSeedSchema = z
  .object({
    keys: z
      .array(
        z
          .object({
            secretId: nonEmpty,
            secretKey: nonEmpty,
            token: nonEmpty.optional(),
            expiresAt: z.number().int().optional(),
          })
          .strict(),
      )
      .min(1, "needs at least one key (leave `keys` out to use the demo key)")
      .optional(),
    clusters: z
      .array(
        z
          .object({
            clusterId: nonEmpty,
            region: nonEmpty.optional(),
            name: z.string().optional(),
            dbMode: z.enum(["SERVERLESS", "NORMAL"]).optional(),
            status: nonEmpty.optional(),
            serverlessStatus: z.enum(["resume", "pause"]).optional(),
          })
          .strict(),
      )
      .optional(),
    describeClustersShowsTransitions: z.boolean().optional(),
  })
  .strict() satisfies z.ZodType<TencentSeed>;

const zillizSeedSchema = z
  .object({
    clusters: z
      .array(
        z
          .object({
            clusterId: nonEmpty,
            regionId: nonEmpty,
            plan: z.enum(["Free", "Serverless", "Standard", "Enterprise", "BusinessCritical"]),
            clusterName: z.string().optional(),
            status: nonEmpty.optional(),
            cuType: z.string().optional(),
            cuSize: z.number().int().min(0).optional(),
            projectId: z.string().optional(),
            createTime: z.string().optional(),
          })
          .strict(),
      )
      .optional(),
    apiKeys: z.array(nonEmpty).min(1, "needs at least one key (leave `apiKeys` out to use the demo key)").optional(),
    statusSpelling: z.enum(["STOPPED", "SUSPENDED"]).optional(),
    errorHttpStatus: z.enum(["200", "4xx"]).optional(),
    rateLimitReply: z.object({ httpStatus: z.number().int(), code: z.number().int(), message: z.string() }).strict().optional(),
  })
  .strict() satisfies z.ZodType<ZillizSeed>;

/** Unknown keys are errors: a misspelt field would otherwise be ignored in silence. */
export const seedFileSchema = z
  .object({
    tencentcloud: tencentSeedSchema.optional(),
    zillizcloud: zillizSeedSchema.optional(),
  })
  .strict();

export interface EmulatorSeed {
  tencent?: TencentSeed;
  zilliz?: ZillizSeed;
}

export function parseSeed(value: unknown, source: string): EmulatorSeed {
  const parsed = seedFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join(".") : "(top level)";
    throw new UsageError("--seed", `${source}: ${where}: ${issue.message}`);
  }
  return {
    ...(parsed.data.tencentcloud && { tencent: parsed.data.tencentcloud }),
    ...(parsed.data.zillizcloud && { zilliz: parsed.data.zillizcloud }),
  };
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
