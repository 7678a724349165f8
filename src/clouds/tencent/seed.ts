import { z } from "zod";
import type { TencentSeed } from "./emulator";

/** The `tencentcloud` section of an emulator seed file (`cluster-power emulator --seed`). */

const nonEmpty = z.string().trim().min(1, "must be a non-empty string");

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
