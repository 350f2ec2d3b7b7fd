// Request shapes of the /clusters routes.
import { z } from "zod";
import { boundedText, intParam, userIdSchema } from "@/lib/memories/schemas";

export const MAX_SUMMARY_CHARS = 2000;

export const listClustersQuery = z.object({
  user_id: userIdSchema.optional(),
  // Topics are stored lower-cased, so the filter is too.
  topic: boundedText(1, 128).transform((t) => t.trim().toLowerCase()).optional(),
  limit: intParam(1, 200, 50),
});

export const rebuildClustersSchema = z.object({
  user_id: userIdSchema.optional(),
});

export const updateClusterSchema = z
  .object({
    // null clears the summary; the next rebuild then writes a generated one.
    summary: boundedText(0, MAX_SUMMARY_CHARS).nullable().optional(),
  })
  .refine((v) => v.summary !== undefined, { message: "must change at least one field", path: ["summary"] });

export const clusterIdParams = z.object({ id: boundedText(1, 128) });

export type ListClustersQuery = z.output<typeof listClustersQuery>;
export type UpdateClusterInput = z.output<typeof updateClusterSchema>;
