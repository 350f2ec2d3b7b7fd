import { defineConfig } from "drizzle-kit";

// Migrations are generated from lib/db/schema.ts and are the same SQL on PGlite and PostgreSQL.
export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema.ts",
  out: "./drizzle",
  strict: true,
  verbose: true,
});
