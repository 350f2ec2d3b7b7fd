// The token check every authenticated request makes: its user and its revocation in one lookup by
// key, which on PostgreSQL runs on the sessions that keep a statement's generic plan.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { genericPlanSessions, type Database } from "@/lib/db/client";
import { createTestDatabase, preparedPlans, type TestDatabase } from "@/lib/db/testing";
import { createTestActor } from "./testing";
import { issueAccessToken, revokeToken, verifyAccessToken } from "./tokens";

describe.skipIf(!process.env.DATABASE_URL)("verifyAccessToken on PostgreSQL", () => {
  let handle: TestDatabase;

  // One connection a pool, so that pg_prepared_statements is the session's that ran the lookups.
  beforeAll(async () => (handle = await createTestDatabase({ maxConnections: 1 })));
  afterAll(() => handle?.close());

  const lookups = (db: Database) => preparedPlans(db, '%from "users" where "users"."id" = %');

  it("looks the user and the revocation up on the sessions that keep the plan, and still sees a revocation", async () => {
    const actor = await createTestActor(handle.db, "token-checker", ["user"]);
    const { token } = await issueAccessToken({ id: actor.userId, roles: actor.roles, namespace: null });
    for (let i = 0; i < 8; i++) {
      expect(await verifyAccessToken(handle.db, token)).toMatchObject({ ok: true, user: { id: actor.userId, username: "token-checker" } });
    }
    // PostgreSQL plans the first five executions for their values, then keeps a generic plan.
    expect(await lookups(genericPlanSessions(handle.db))).toEqual([{ generic_plans: 3, custom_plans: 5 }]);
    expect(await lookups(handle.db)).toEqual([]);

    const check = await verifyAccessToken(handle.db, token);
    if (!check.ok) throw new Error(check.failure);
    await revokeToken(handle.db, check.claims);
    expect(await verifyAccessToken(handle.db, token)).toEqual({ ok: false, failure: "revoked" });
  });
});
