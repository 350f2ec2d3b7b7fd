// npm run db:migrate — applies pending migrations to the configured database (DATABASE_URL, or
// PGlite in MEMORIC_DATA_DIR; never while the server has that PGlite folder open).
import { connect, migrate } from "@/lib/db/client";
import { env, EnvError } from "@/lib/env";

async function main(): Promise<void> {
  const settings = env();
  const target = settings.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : `PGlite in ${settings.MEMORIC_DATA_DIR}`;
  console.log(`Applying migrations to ${target}…`);
  const started = Date.now();
  const handle = await connect({ url: settings.DATABASE_URL, dataDir: settings.MEMORIC_DATA_DIR, maxConnections: 1 });
  try {
    await migrate(handle);
  } finally {
    await handle.close();
  }
  console.log(`Migrations applied in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
});
