// GDPR erasure: clears a person's personal data from the audit events they did or that are about
// them, through the one UPDATE the database allows (see migration 0005). Each event's leaf hash
// covers that data only through a salted digest, so the tree and every checkpoint still verify.
import { sql } from "drizzle-orm";
import { selectRows, type Database } from "@/lib/db/client";
import type { ActorContext } from "./logger";
import { recordAuditEvent } from "./record";
import { searchDaySql } from "./search-day";

export async function erasePersonalData(
  db: Database,
  subjectUserId: string,
  audit: ActorContext,
  reason: string | null,
): Promise<{ user_id: string; events_erased: number }> {
  return db.transaction(async (tx) => {
    // The word summaries count the rolled-up events' words, some of which go: held, the roll-up
    // state cannot move (nor a roll-up count these events) until the summaries are corrected.
    await tx.execute(sql`select 1 from audit_rollup_state where id = 1 for update`);
    await tx.execute(sql`select set_config('memoric.erasure', 'on', true)`);
    const [result] = await selectRows<{ erased: number }>(
      tx,
      sql`
      with target as (
        select id, tx_id, timestamp, description, error_message, username, resource_id
          from audit_logs
         where erased_at is null
           and (user_id = ${subjectUserId} or (resource_type = 'user' and resource_id = ${subjectUserId}))
      ),
      erased as (
        update audit_logs
           set username = null, session_id = null, ip_address = null, user_agent = null,
               before_state = null, after_state = null, request_params = null, error_message = null,
               metadata = null, personal_salt = null, erased_at = now()
         where id in (select id from target)
        returning id, tx_id, timestamp, description, error_message, username, resource_id
      ),
      -- The words of each rolled-up event before (taken back) and after (added again).
      changes as (
        select e.timestamp, x.word, x.lcp, -1 as n from target e, audit_search_words(e.description, e.error_message, e.username, e.resource_id) x
         where e.tx_id < (select rolled_up_before_tx from audit_rollup_state where id = 1)
        union all
        select e.timestamp, x.word, x.lcp, 1 from erased e, audit_search_words(e.description, e.error_message, e.username, e.resource_id) x
         where e.tx_id < (select rolled_up_before_tx from audit_rollup_state where id = 1)
      ),
      words as (
        insert into audit_summary_words as w (day, word, lcp, count)
        select ${sql.raw(searchDaySql("timestamp"))}, word, lcp, sum(n)
          from changes where timestamp > '-infinity' and timestamp < 'infinity'
         group by 1, 2, 3 having sum(n) <> 0
        on conflict (day, word, lcp) do update set count = w.count + excluded.count
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
