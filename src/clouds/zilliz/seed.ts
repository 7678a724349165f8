import { z } from "zod";
import { nonEmptySeedString as nonEmpty, seedClusterId } from "../../emulator/seed";
import { validateClusterId } from "./config";
import type { ZillizSeed } from "./emulator";

/** The `zillizcloud` section of an emulator seed file (`cluster-power emulator --seed`). */

const clusterId = seedClusterId(validateClusterId);

export const zillizSeedSchema = z
  .object({
    clusters: z
      .array(
        z
          .object({
            clusterId,
            regionId: nonEmpty,
            plan: z.enum(["Free", "Serverless", "Standard", "Enterprise", "BusinessCritical"]),
            clusterName: z.string().optional(),
            status: nonEmpty.optional(),
            cuType: z.string().optional(),
            cuSize: z.number().int().min(0).optional(),
            projectId: z.string().optional(),
            createTime: z.string().optional(),
            labels: z.record(z.string().min(1, "label keys must not be empty"), z.string()).optional(),
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
