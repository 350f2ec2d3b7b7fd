// Every setting of the server, validated once with zod. A bad value stops start-up with a
// message that names the variable (see `loadEnv`).
import { z } from "zod";
import { passwordSchema } from "@/lib/auth/passwords";

const booleanSetting = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no", "on", "off"], {
      error: "must be true or false",
    })
    .optional()
    .transform((value) => (value === undefined ? fallback : ["true", "1", "yes", "on"].includes(value)));

/** A whole number; text that is no number gets the same message, where zod would say "expected number, received NaN". */
const wholeNumber = () => z.coerce.number({ error: "must be a whole number" }).int("must be a whole number");

const emptyAsUndefined = (value: unknown) => (value === "" ? undefined : value);

export const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// connection URL")
        .optional(),
    ),
    MEMORIC_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default("./.data")),
    MEMORIC_JWT_SECRET: z.preprocess(
      emptyAsUndefined,
      z.string().min(32, "must be at least 32 characters").optional(),
    ),
    MEMORIC_ADMIN_USERNAME: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{3,50}$/, "must be 3-50 characters of A-Z, a-z, 0-9, _ or -")
        .optional(),
    ),
    MEMORIC_ADMIN_PASSWORD: z.preprocess(emptyAsUndefined, passwordSchema.optional()),
    MEMORIC_ADMIN_EMAIL: z.preprocess(emptyAsUndefined, z.email("must be an e-mail address").optional()),
    MEMORIC_AUDIT_ENABLED: booleanSetting(true),
    MEMORIC_TRUST_PROXY: booleanSetting(false),
    // Totals and statistics read events the roll-up has not reached from audit_logs: run it often
    // (an idle run is one short transaction), so a burst of ingested events is summarised soon.
    MEMORIC_AUDIT_ROLLUP_SECONDS: z.preprocess(
      emptyAsUndefined,
      wholeNumber().min(1).max(3600).default(2),
    ),
    MEMORIC_AUDIT_SIGNING_KEY: z.preprocess(emptyAsUndefined, z.string().min(40, "must be an Ed25519 private key in PEM (or PEM in base64)").optional()),
    // Worker threads a verification reads and checks with, on PostgreSQL; unset: one a core (at most
    // four) from 50,000 sealed events on; 0: the calling thread only.
    MEMORIC_AUDIT_VERIFY_WORKERS: z.preprocess(emptyAsUndefined, wholeNumber().min(0).max(16).optional()),
    // Connections in each of the server's two PostgreSQL pools (see databasePoolSize in
    // lib/db/client.ts); unset: one a core of this machine, from 2 to 10.
    MEMORIC_DATABASE_POOL_SIZE: z.preprocess(emptyAsUndefined, wholeNumber().min(1, "must be at least 1").max(100, "must be at most 100").optional()),
    MEMORIC_CHECKPOINT_SECONDS: z.preprocess(
      emptyAsUndefined,
      wholeNumber().min(5).max(86_400).default(60),
    ),
    MEMORIC_RETENTION_DAYS: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^\s*[a-z0-9_-]+\s*=\s*\d+\s*(,\s*[a-z0-9_-]+\s*=\s*\d+\s*)*$/, "must look like standard=90,security=365,compliance=2555")
        .default("standard=90,security=365,compliance=2555")
        .transform((v) => Object.fromEntries(v.split(",").map((pair) => pair.split("=").map((x) => x.trim())).map(([k, d]) => [k!, Number(d)]))),
    ),
    MEMORIC_RETENTION_INTERVAL_HOURS: z.preprocess(
      emptyAsUndefined,
      z.coerce.number({ error: "must be a number" }).min(0, "must be ≥ 0 (0 turns the job off)").max(500, "must be at most 500").default(24),
    ),
    MEMORIC_ARCHIVE_DIR: z.preprocess(emptyAsUndefined, z.string().optional()),
    MEMORIC_RATE_LIMIT_PER_MINUTE: z.preprocess(
      emptyAsUndefined,
      wholeNumber().min(0).max(1_000_000).default(600),
    ),
    PORT: z.preprocess(
      emptyAsUndefined,
      wholeNumber().min(1).max(65535).default(3000),
    ),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && !env.MEMORIC_JWT_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["MEMORIC_JWT_SECRET"],
        message: "is required when NODE_ENV=production (at least 32 random characters, e.g. `openssl rand -hex 32`)",
      });
    }
    if (env.MEMORIC_ADMIN_USERNAME && !env.MEMORIC_ADMIN_PASSWORD) {
      ctx.addIssue({
        code: "custom",
        path: ["MEMORIC_ADMIN_PASSWORD"],
        message: "is required when MEMORIC_ADMIN_USERNAME is set",
      });
    }
    if (env.MEMORIC_ADMIN_PASSWORD && !env.MEMORIC_ADMIN_USERNAME) {
      ctx.addIssue({
        code: "custom",
        path: ["MEMORIC_ADMIN_USERNAME"],
        message: "is required when MEMORIC_ADMIN_PASSWORD is set",
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** Parses a settings object; throws an EnvError whose lines each name a variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  throw new EnvError(
    result.error.issues.map((issue) => `${issue.path.join(".") || "environment"} ${issue.message}`),
  );
}

let cached: Env | undefined;

/** The process's settings, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests that change process.env between cases. */
export function resetEnvCache(): void {
  cached = undefined;
}
