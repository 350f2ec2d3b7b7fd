// npm run audit:verify                       — checks the whole audit log in the configured database
// npm run audit:verify -- --bundle FILE --public-key KEY.pem
//                                            — checks an exported bundle (or a .gz retention archive)
//                                              offline, with the public key alone
// Exit code 0 when everything verifies, 1 when something does not (the first bad event is named), 2 on misuse.
import { createReadStream, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createGunzip } from "node:zlib";
import { verifyBundle } from "@/lib/audit/bundle";
import { runVerification } from "@/lib/audit/integrity";
import { publicKeyFromPem } from "@/lib/audit/keys";
import { connectFromEnv } from "@/lib/db/client";
import { runCli } from "./cli";

function progressBar(): (done: number, total: number) => void {
  let lastPercent = -1;
  return (done, total) => {
    const percent = total ? Math.floor((done / total) * 100) : 100;
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round((percent / 100) * width);
      process.stderr.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${percent}% ${done}/${total} events`);
      if (done === total) process.stderr.write("\n");
    } else if (percent >= lastPercent + 10 || done === total) {
      lastPercent = percent;
      process.stderr.write(`verified ${done}/${total} events (${percent}%)\n`);
    }
  };
}

async function readLines(file: string): Promise<string[]> {
  const lines: string[] = [];
  const input = file.endsWith(".gz") ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  for await (const line of createInterface({ input, crlfDelay: Infinity })) lines.push(line);
  return lines;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { bundle: { type: "string" }, "public-key": { type: "string" }, help: { type: "boolean", default: false } } });
  if (values.help) {
    console.log("usage: npm run audit:verify [-- --bundle FILE --public-key KEY.pem]");
    return 0;
  }
  if (values.bundle) {
    if (!values["public-key"]) {
      console.error("--bundle needs --public-key (the PEM from GET /audit/checkpoints/key)");
      return 2;
    }
    const key = publicKeyFromPem(readFileSync(values["public-key"], "utf8"));
    const started = Date.now();
    const report = verifyBundle(await readLines(values.bundle), key);
    console.log(JSON.stringify(report, null, 2));
    console.error(
      report.ok
        ? `OK: ${report.proven} events proven against the signed checkpoint (tree size ${report.checkpoint?.tree_size})` +
            `${report.unproven ? `, ${report.unproven} newer events checked by content only` : ""} in ${((Date.now() - started) / 1000).toFixed(1)} s`
        : `FAILED at event ${report.first_failure?.id ?? "-"}: ${report.first_failure?.reason}`,
    );
    return report.ok ? 0 : 1;
  }
  console.error("Opening the database…");
  const handle = await connectFromEnv();
  try {
    const started = Date.now();
    const report = await runVerification(handle.db, "cli", { onProgress: progressBar() });
    const seconds = (Date.now() - started) / 1000;
    console.log(JSON.stringify(report, null, 2));
    console.error(
      report.ok
        ? `OK: ${report.checked} events and ${report.checkpoints_verified} checkpoints verified in ${seconds.toFixed(1)} s (${Math.round(report.checked / Math.max(seconds, 0.001))} events/s)`
        : `FAILED at event ${report.first_failure?.id ?? "-"}: ${report.first_failure?.reason}`,
    );
    return report.ok ? 0 : 1;
  } finally {
    await handle.close();
  }
}

runCli(main, 2);
