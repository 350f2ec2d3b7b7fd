import { clusterIdParams, updateClusterSchema } from "@/lib/clusters/schemas";
import { deleteCluster, getCluster, updateCluster } from "@/lib/clusters/service";
import { apiRoute, methodNotAllowed, noContent } from "@/lib/http/route";

export const GET = apiRoute(
  { access: "authenticated", params: clusterIdParams, resourceType: "cluster" },
  async ({ db, actor, params, audit }) => getCluster(db, actor, params.id, audit),
);

// Editing and deleting clusters is for admins: users only read and rebuild their own.
export const PATCH = apiRoute(
  { access: "admin", params: clusterIdParams, body: updateClusterSchema, resourceType: "cluster" },
  async ({ db, actor, params, body, audit }) => updateCluster(db, actor, params.id, body, audit),
);

export const DELETE = apiRoute(
  { access: "admin", params: clusterIdParams, resourceType: "cluster" },
  async ({ db, actor, params, audit }) => {
    await deleteCluster(db, actor, params.id, audit);
    return noContent();
  },
);

export const { POST, PUT } = methodNotAllowed(["GET", "PATCH", "DELETE"]);
