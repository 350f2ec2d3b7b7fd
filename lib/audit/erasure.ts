// GDPR erasure: clears a person's personal data from the audit events they did or that are about
// them, through the one UPDATE the database allows (see migration 0005). Each event's leaf hash
// covers that data only through a salted digest, so the tree and every checkpoint still verify.
import { sql } from "drizzle-orm";
import { selectRows, type Database } from "@/lib/db/client";
import type { ActorContext } from "./logger";
import { recordAuditEvent } from "./record";

export async function erasePersonalData(
  db: Database,
  subjectUserId: string,
  audit: ActorContext,
  reason: string | null,
): Promise<{ user_id: string; events_erased: number }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('memoric.erasure', 'on', true)`);
    const [result] = await selectRows<{ erased: number }>(
      tx,
      sql`
      with erased as (
        update audit_logs
           set username = null, session_id = null, ip_address = null, user_agent = null,
               before_state = null, after_state = null, request_params = null, error_message = null,
               metadata = null, personal_salt = null, erased_at = now()
         where erased_at is null
           and (user_id = ${subjectUserId} or (resource_type = 'user' and resource_id = ${subjectUserId}))
        returning 1
      )
      select count(*)::int as erased from erased`,
    );
    await tx.execute(sql`select set_config('memoric.erasure', 'off', true)`);
    const erased = Number(result?.erased ?? 0);
    await recordAuditEvent(tx, {
      ...audit,
      eventType: "user.personal_data.erased",
      resourceType: "user",
      resourceId: subjectUserId,
      action: "erase",
      // Only counts: the request that asked for erasure must not carry the data back in.
      requestParams: null,
      metadata: { events_erased: erased, reason },
    });
    return { user_id: subjectUserId, events_erased: erased };
  });
}
