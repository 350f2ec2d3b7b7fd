// A verification worker thread (see verify-workers.ts): connects to the database it is given, then
// reads and checks each batch of sealed leaves it is asked for, until it is told to stop.
import { parentPort, workerData } from "node:worker_threads";
import { connect } from "@/lib/db/client";
import { checkSealedBatch } from "./integrity";
import type { VerifyWorkerData, VerifyWorkerReply, VerifyWorkerRequest } from "./verify-workers";

const port = parentPort!;
const data = workerData as VerifyWorkerData;
// A key crosses to the thread as a Uint8Array; the HMAC pads are kept per Buffer.
const keys = { ...data.keys, macKey: Buffer.from(data.keys.macKey) };
const reply = (message: VerifyWorkerReply<unknown>) => port.postMessage(message);
const connecting = connect({ url: data.url, maxConnections: 1 });

connecting.then(
  () => reply({ ready: true }),
  (error: unknown) => reply({ failed: String(error) }),
);

port.on("message", async (request: VerifyWorkerRequest) => {
  const handle = await connecting;
  if ("stop" in request) {
    await handle.close();
    port.close();
    return;
  }
  try {
    reply({ id: request.id, result: await checkSealedBatch(handle.db, request.start, request.end, request.cuts, keys) });
  } catch (error) {
    reply({ id: request.id, error });
  }
});
