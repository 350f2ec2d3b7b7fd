import { rebuildClustersSchema } from "@/lib/clusters/schemas";
import { rebuildClusters } from "@/lib/clusters/service";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

export const POST = apiRoute(
  { access: "authenticated", body: rebuildClustersSchema, resourceType: "cluster" },
  async ({ db, actor, body, audit }) => rebuildClusters(db, actor, body, audit),
);

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed(["POST"]);
