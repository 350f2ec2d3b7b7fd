// Fresh, migrated databases for tests: a new database on the PostgreSQL server named by
// DATABASE_URL when it is set, else an in-memory PGlite. Each is dropped when closed.
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { connect, migrate, selectRows, type Database, type DatabaseHandle } from "./client";

export interface TestDatabase extends DatabaseHandle {
  /** The connection URL of the new PostgreSQL database (undefined on PGlite). */
  url?: string;
}

/** A URL for a new, empty database on the server of `serverUrl`; returns it and a drop function. */
export async function createPostgresDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const { default: postgres } = await import("postgres");
  const name = `memoric_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await again.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await again.end({ timeout: 5 });
      }
    },
  };
}

/** `maxConnections`: the PostgreSQL pool's size (1 to read pg_prepared_statements of the session that ran the statements). */
export async function createTestDatabase(options: { maxConnections?: number } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const handle = await connect({});
    await migrate(handle);
    return handle;
  }
  const { url, drop } = await createPostgresDatabase(serverUrl);
  const handle = await connect({ url, maxConnections: options.maxConnections ?? 4 });
  await migrate(handle);
  return {
    ...handle,
    url,
    close: async () => {
      await handle.close();
      await drop();
    },
  };
}

/**
 * How PostgreSQL planned the prepared statements of `db`'s session whose text is LIKE `pattern`:
 * pg_prepared_statements shows the session's own, so give the test database one connection.
 */
export function preparedPlans(db: Database, pattern: string): Promise<{ generic_plans: number; custom_plans: number }[]> {
  return selectRows(db, sql`select generic_plans::int, custom_plans::int from pg_prepared_statements where statement like ${pattern}`);
}
