"use server";
// "Rebuild clusters": POST /clusters/rebuild for the signed-in user, through the same service.
import { refresh } from "next/cache";
import { requireUserPage } from "@/lib/auth/pages";
import { rebuildClusters } from "@/lib/clusters/service";
import { getDb } from "@/lib/db/client";
import { refusalState } from "../refusals";

export type RebuildState = { created: number; updated: number; deleted: number; total: number } | { error: string } | null;

export async function rebuildClustersAction(_previous: RebuildState): Promise<RebuildState> {
  const { actor, audit } = await requireUserPage("/dashboard/clusters", "", "POST");
  try {
    const result = await rebuildClusters(await getDb(), actor, {}, audit);
    // The list below the button shows the rebuilt clusters.
    refresh();
    return { created: result.created, updated: result.updated, deleted: result.deleted, total: result.clusters.length };
  } catch (error) {
    const refused = await refusalState(error, audit, { resourceType: "cluster" });
    return { error: refused.message ?? "The clusters could not be rebuilt." };
  }
}
