import { apiRoute, methodNotAllowed } from "@/lib/http/route";
import { searchMemoriesQuery } from "@/lib/memories/schemas";
import { searchMemories } from "@/lib/memories/service";

export const GET = apiRoute(
  { access: "authenticated", query: searchMemoriesQuery, resourceType: "memory" },
  async ({ db, actor, query, audit }) => searchMemories(db, actor, query, audit),
);

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
