// A service's refusal (ApiError) on a page or in a server action: shown to the user rather than as
// a 500, and a 403 recorded as authz.access.denied, as the API records it.
import type { ActorContext } from "@/lib/audit/logger";
import { recordAuditEvent } from "@/lib/audit/record";
import { getDb } from "@/lib/db/client";
import { ApiError, type FieldError } from "@/lib/http/errors";
import type { FormState } from "@/app/ui/form-state";

interface Target {
  resourceType: string;
  resourceId?: string | number;
}

export async function recordRefusal(error: ApiError, audit: ActorContext, target: Target): Promise<void> {
  if (error.status !== 403) return;
  await recordAuditEvent(await getDb(), {
    ...audit,
    ...target,
    eventType: "authz.access.denied",
    action: audit.requestMethod,
    success: false,
    statusCode: 403,
    errorMessage: error.message,
  });
}

/** The form state of a refusal: its field errors (a 422's details) or its message. Anything else is rethrown. */
export async function refusalState(error: unknown, audit: ActorContext, target: Target): Promise<FormState> {
  if (!(error instanceof ApiError)) throw error;
  await recordRefusal(error, audit, target);
  const details = Array.isArray(error.details) ? (error.details as FieldError[]) : [];
  if (details.length === 0) return { errors: {}, message: error.message };
  return { errors: Object.fromEntries(details.map((d) => [d.field, d.message])) };
}
