import { z } from "zod";

/** Pieces every cloud's seed-file schema (src/clouds/<cloud>/seed.ts) is made of. */

export const nonEmptySeedString = z.string().trim().min(1, "must be a non-empty string");

/**
 * A seeded cluster id, checked by the cloud's own id rule: a seeded cluster that the CLI and the
 * provider would refuse to name is no use.
 */
export function seedClusterId(validateClusterId: (id: unknown) => string) {
  return nonEmptySeedString.superRefine((id, ctx) => {
    try {
      validateClusterId(id);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message.replace(/^clusterId: /, "") });
    }
  });
}
