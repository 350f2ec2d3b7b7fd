import { apiKeyIdParams, apiKeyToJson, getApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import { apiRoute, methodNotAllowed, noContent } from "@/lib/http/route";

export const GET = apiRoute({ access: "admin", params: apiKeyIdParams, resourceType: "api_key" }, async ({ db, params }) =>
  apiKeyToJson(await getApiKey(db, params.id)),
);

export const DELETE = apiRoute(
  { access: "admin", params: apiKeyIdParams, resourceType: "api_key" },
  async ({ db, params, audit }) => {
    await revokeApiKey(db, params.id, audit);
    return noContent();
  },
);

export const { POST, PUT, PATCH } = methodNotAllowed(["GET", "DELETE"]);
