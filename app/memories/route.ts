import { apiRoute, json, methodNotAllowed } from "@/lib/http/route";
import { createMemorySchema, listMemoriesQuery } from "@/lib/memories/schemas";
import { createMemory, listMemories } from "@/lib/memories/service";

export const GET = apiRoute(
  { access: "authenticated", query: listMemoriesQuery, resourceType: "memory" },
  async ({ db, actor, query, audit }) => listMemories(db, actor, query, audit),
);

export const POST = apiRoute(
  { access: "authenticated", body: createMemorySchema, resourceType: "memory" },
  async ({ db, actor, body, audit }) => {
    const memory = await createMemory(db, actor, body, audit);
    return json({ id: memory.id, message: "Memory created", memory }, 201);
  },
);

export const { PUT, PATCH, DELETE } = methodNotAllowed(["GET", "POST"]);
