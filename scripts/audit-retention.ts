// npm run audit:retention — archives audit events past their retention (MEMORIC_RETENTION_DAYS) to a
// gzip-compressed bundle with their inclusion proofs, then removes them; the log still verifies.
// The server runs the same job every MEMORIC_RETENTION_INTERVAL_HOURS. Never run it against a
// PGlite folder the server has open (PGlite has no lock between processes).
import { runRetention } from "@/lib/audit/retention";
import { connectFromEnv } from "@/lib/db/client";
import { env } from "@/lib/env";
import { runCli } from "./cli";

async function main(): Promise<number> {
  const settings = env();
  console.error(`Retention: ${Object.entries(settings.MEMORIC_RETENTION_DAYS).map(([p, d]) => `${p} ${d} days`).join(", ")}`);
  const handle = await connectFromEnv();
  try {
    const started = Date.now();
    const result = await runRetention(handle.db, {
      onProgress: (done) => process.stderr.write(process.stderr.isTTY ? `\rarchived ${done} events` : `archived ${done} events\n`),
    });
    if (process.stderr.isTTY) process.stderr.write("\n");
    console.log(JSON.stringify(result, null, 2));
    console.error(
      result.removed
        ? `Archived and removed ${result.removed} events in ${((Date.now() - started) / 1000).toFixed(1)} s; archive ${result.archive} (sha256 ${result.archive_sha256})`
        : "Nothing has expired.",
    );
    return 0;
  } finally {
    await handle.close();
  }
}

runCli(main);
