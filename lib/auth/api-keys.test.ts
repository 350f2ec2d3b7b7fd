// The API-key check of every ingest request: a lookup by the key's hash, which on PostgreSQL runs
// on the sessions that keep a statement's generic plan.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { genericPlanSessions, type Database } from "@/lib/db/client";
import { createTestDatabase, preparedPlans, type TestDatabase } from "@/lib/db/testing";
import { issueApiKey, revokeApiKey, verifyApiKey } from "./api-keys";
import { createTestActor } from "./testing";

describe.skipIf(!process.env.DATABASE_URL)("verifyApiKey on PostgreSQL", () => {
  let handle: TestDatabase;

  // One connection a pool, so that pg_prepared_statements is the session's that ran the lookups.
  beforeAll(async () => (handle = await createTestDatabase({ maxConnections: 1 })));
  afterAll(() => handle?.close());

  const lookups = (db: Database) => preparedPlans(db, '%from "api_keys" where "api_keys"."key_hash" = %');

  it("looks the key up on the sessions that keep the plan, and still refuses a revoked key", async () => {
    const admin = await createTestActor(handle.db, "key-admin", ["admin", "user"]);
    const audit = { userId: admin.userId, username: admin.username };
    const { key, secret } = await issueApiKey(handle.db, admin.user!, { name: "collector", scopes: ["events:write"] }, audit);
    for (let i = 0; i < 8; i++) {
      expect(await verifyApiKey(handle.db, secret)).toMatchObject({ ok: true, key: { id: key.id, name: "collector" } });
    }
    // PostgreSQL plans the first five executions for their values, then keeps a generic plan.
    expect(await lookups(genericPlanSessions(handle.db))).toEqual([{ generic_plans: 3, custom_plans: 5 }]);
    expect(await lookups(handle.db)).toEqual([]);

    expect(await verifyApiKey(handle.db, `${secret}x`)).toEqual({ ok: false, failure: "api_key_invalid" });
    await revokeApiKey(handle.db, key.id, audit);
    expect(await verifyApiKey(handle.db, secret)).toMatchObject({ ok: false, failure: "api_key_revoked", key: { id: key.id } });
  });
});
