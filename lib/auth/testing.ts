// Actors for service tests: a user stored in a test database, acting with a bearer token.
import { randomUUID } from "node:crypto";
import type { Database } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import type { Actor } from "./authenticate";

export async function createTestActor(db: Database, username: string, roles: string[], namespace: string | null = null): Promise<Actor> {
  const [user] = await db
    .insert(users)
    .values({ id: randomUUID(), username, email: `${username}@example.com`, passwordHash: "x", roles, namespace })
    .returning();
  return { user: user!, userId: user!.id, username, roles, isAdmin: roles.includes("admin"), sessionId: "s", via: "bearer" };
}
