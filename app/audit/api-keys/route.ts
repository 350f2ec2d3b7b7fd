import { apiKeyToJson, issueApiKey, issueApiKeySchema, listApiKeys } from "@/lib/auth/api-keys";
import { apiRoute, json, methodNotAllowed } from "@/lib/http/route";

export const GET = apiRoute({ access: "admin", resourceType: "api_key" }, async ({ db }) => {
  const keys = await listApiKeys(db);
  return { api_keys: keys.map(apiKeyToJson), total: keys.length };
});

export const POST = apiRoute(
  { access: "admin", body: issueApiKeySchema, resourceType: "api_key" },
  async ({ db, actor, body, audit }) => {
    const { key, secret } = await issueApiKey(db, actor.user, body, audit);
    // The only time the secret is shown: only its hash is kept.
    return json({ ...apiKeyToJson(key), key: secret }, 201, { "Cache-Control": "no-store" });
  },
);

export const { PUT, PATCH, DELETE } = methodNotAllowed(["GET", "POST"]);
