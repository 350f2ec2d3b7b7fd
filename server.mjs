// The HTTP server: Next.js behind a plain Node server, so that every request carries the
// socket's client address (route handlers cannot see the socket) and shutdown is audited.
import { createServer } from "node:http";
import next from "next";

const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOSTNAME || "0.0.0.0";
if (!dev) process.env.NODE_ENV ??= "production";
// Auth.js takes the host from the request; the server decides which hosts reach it.
process.env.AUTH_TRUST_HOST ??= "true";

const PEER_IP_HEADER = "x-memoric-peer-ip";

const app = next({ dev, hostname, port });
const handle = app.getRequestHandler();
/** Next.js's start-up, which opens the database (see instrumentation.ts); requests wait for it. */
let prepared;

const server = createServer((req, res) => {
  // Whatever a client sent in this header is replaced by the socket's address.
  req.headers[PEER_IP_HEADER] = req.socket.remoteAddress ?? "";
  prepared.then(() => handle(req, res));
});
server.keepAliveTimeout = 65_000;

// The port first, the database after: a second server started on a port in use (one already
// running from the same folder, say) stops here, before it opens the PGlite folder, which has no
// lock between processes, and before it runs migrations or writes to the audit log.
await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(port, hostname, () => {
    server.off("error", reject);
    resolve();
  });
}).catch((error) => {
  const why = error.code === "EADDRINUSE" ? "the port is in use (is another server running? PORT sets another)" : error.message;
  console.error(`[memoric] cannot listen on ${hostname}:${port}: ${why}`);
  process.exit(1);
});
prepared = app.prepare();
await prepared;
console.log(`[memoric] listening on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`);

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  const hooks = globalThis.__memoricShutdownHooks ?? [];
  const timer = setTimeout(() => process.exit(0), 10_000);
  server.close();
  server.closeIdleConnections?.();
  for (const hook of hooks) {
    try {
      await hook(signal);
    } catch (error) {
      console.error("[memoric] shutdown step failed:", error);
    }
  }
  clearTimeout(timer);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

