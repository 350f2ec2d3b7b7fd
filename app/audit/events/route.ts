import { apiRoute, json, methodNotAllowed, readBodyText } from "@/lib/http/route";
import { parseIdempotencyKey, parseIngestBody } from "@/lib/ingest/parse";
import { ingestEvents } from "@/lib/ingest/service";

export const POST = apiRoute(
  { access: "admin", apiKeyScope: "events:write", resourceType: "audit_log" },
  async ({ db, actor, request, audit }) => {
    const idempotencyKey = parseIdempotencyKey(request.headers.get("idempotency-key"));
    const body = await readBodyText(request);
    const events = parseIngestBody(request.headers.get("content-type"), body);
    const { response, replayed } = await ingestEvents(db, actor, { events, body, idempotencyKey }, audit);
    return json(response, 201, replayed ? { "Idempotent-Replayed": "true" } : {});
  },
);

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed(["POST"]);
