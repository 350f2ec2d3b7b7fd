import { z } from "zod";
import { erasePersonalData } from "@/lib/audit/erasure";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

const body = z.object({
  user_id: z.string().min(1, "is required").max(256),
  reason: z.string().max(500).nullish(),
});

/** Erases a user's personal data from their audit events (GDPR); the log still verifies. */
export const POST = apiRoute({ access: "admin", body, resourceType: "user" }, async ({ db, body, audit }) =>
  erasePersonalData(db, body.user_id, audit, body.reason ?? null),
);

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed(["POST"]);
