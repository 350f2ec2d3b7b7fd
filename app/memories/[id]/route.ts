import { apiRoute, methodNotAllowed, noContent } from "@/lib/http/route";
import { memoryIdParams, updateMemorySchema } from "@/lib/memories/schemas";
import { deleteMemory, getMemory, updateMemory } from "@/lib/memories/service";

export const GET = apiRoute(
  { access: "authenticated", params: memoryIdParams, resourceType: "memory" },
  async ({ db, actor, params, audit }) => getMemory(db, actor, params.id, audit),
);

export const PATCH = apiRoute(
  { access: "authenticated", params: memoryIdParams, body: updateMemorySchema, resourceType: "memory" },
  async ({ db, actor, params, body, audit }) => updateMemory(db, actor, params.id, body, audit),
);

export const DELETE = apiRoute(
  { access: "authenticated", params: memoryIdParams, resourceType: "memory" },
  async ({ db, actor, params, audit }) => {
    await deleteMemory(db, actor, params.id, audit);
    return noContent();
  },
);

export const { POST, PUT } = methodNotAllowed(["GET", "PATCH", "DELETE"]);
