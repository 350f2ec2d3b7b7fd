// A verification worker thread (see verify-workers.ts): connects to the database it is given, then
// reads and checks each batch of sealed leaves it is asked for, until it is told to stop.
//
// It loads postgres.js and sealed-batch.ts alone, not the ORM, the schema and the settings that
// lib/db/client.ts brings: two workers were ready in ~0.63 s under tsx with those, and started
// ~0.2–0.37 s sooner without, on this machine's two cores (0.6 s of CPU a run saved).
import { parentPort, workerData } from "node:worker_threads";
import postgres from "postgres";
import { CUSTOM_PLANS, NO_JIT } from "@/lib/db/session-settings";
import { streamValues } from "@/lib/db/stream-values";
import { checkSealedBatch, type RowReader } from "./sealed-batch";
import type { VerifyWorkerData, VerifyWorkerReply, VerifyWorkerRequest } from "./verify-workers";

const port = parentPort!;
const data = workerData as VerifyWorkerData;
// The key crosses to the thread as a Uint8Array; the HMAC pads are kept per Buffer.
const macKey = Buffer.from(data.macKey);
const reply = (message: VerifyWorkerReply<unknown>) => port.postMessage(message);

const client = postgres(data.url, {
  max: 1,
  onnotice: () => {},
  connection: { application_name: "memoric-verify", ...CUSTOM_PLANS, ...NO_JIT },
  // timestamptz as PostgreSQL's text, as drizzle reads it on the server's own connections:
  // isoTimestamp rewrites the UTC form directly, where postgres.js would parse a Date (the same
  // result, a microsecond an event slower).
  types: { timestamptz: { to: 1184, from: [1184], serialize: (value: string) => value, parse: (value: string) => value } },
});

/** The rows of a statement, prepared as the server's own are (see preparedStatements in lib/db/client.ts). */
const readRows: RowReader = (text, params, onRow) => streamValues(client.unsafe(text, params as never[], { prepare: true }), onRow);

const connecting = client`select 1`;
connecting.then(
  () => reply({ ready: true }),
  (error: unknown) => reply({ failed: String(error) }),
);

port.on("message", async (request: VerifyWorkerRequest) => {
  if ("stop" in request) {
    await client.end({ timeout: 5 });
    port.close();
    return;
  }
  try {
    await connecting;
    reply({ id: request.id, result: await checkSealedBatch(readRows, request.start, request.end, request.cuts, macKey) });
  } catch (error) {
    reply({ id: request.id, error });
  }
});
