import { z } from "zod";
import { nonEmptySeedString as nonEmpty, seedClusterId } from "../../emulator/seed";
import { validateClusterId } from "./config";
import type { TencentSeed } from "./emulator";

/** The `tencentcloud` section of an emulator seed file (`cluster-power emulator --seed`). */

const clusterId = seedClusterId(validateClusterId);

export const tencentSeedSchema = z
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
            clusterId,
            region: nonEmpty.optional(),
            name: z.string().optional(),
            dbMode: z.enum(["SERVERLESS", "NORMAL"]).optional(),
            status: nonEmpty.optional(),
            serverlessStatus: z.enum(["resume", "pause"]).optional(),
            strategy: z
              .object({
                AutoPause: z.enum(["yes", "no"]).optional(),
                AutoPauseDelay: z.number().int().min(600).max(691_200).optional(),
                MinCpu: z.number().positive().optional(),
                MaxCpu: z.number().positive().optional(),
              })
              .strict()
              .optional(),
            // TagKey -> TagValue, as reported in ResourceTags (the tag service: keys up to 127 characters, values up to 255).
            tags: z.record(z.string().min(1, "tag keys must not be empty").max(127), z.string().max(255)).optional(),
          })
          .strict(),
      )
      .optional(),
    describeClustersShowsTransitions: z.boolean().optional(),
  })
  .strict() satisfies z.ZodType<TencentSeed>;
