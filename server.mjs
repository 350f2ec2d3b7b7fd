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
await app.prepare();

const server = createServer((req, res) => {
  // Whatever a client sent in this header is replaced by the socket's address.
  req.headers[PEER_IP_HEADER] = req.socket.remoteAddress ?? "";
  handle(req, res);
});
server.keepAliveTimeout = 65_000;

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

server.listen(port, hostname, () => {
  console.log(`[memoric] listening on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`);
});
