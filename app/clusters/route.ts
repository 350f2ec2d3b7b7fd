import { listClustersQuery } from "@/lib/clusters/schemas";
import { listClusters } from "@/lib/clusters/service";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

export const GET = apiRoute(
  { access: "authenticated", query: listClustersQuery, resourceType: "cluster" },
  async ({ db, actor, query, audit }) => listClusters(db, actor, query, audit),
);

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
