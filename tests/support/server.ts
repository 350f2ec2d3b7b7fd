// Starts the built app (`next start`) as a child process on a free port, with its own database:
// a fresh PostgreSQL database when DATABASE_URL is set, else a new PGlite folder.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect, type DatabaseHandle } from "@/lib/db/client";
import { createPostgresDatabase } from "@/lib/db/testing";

export const TEST_JWT_SECRET = "test-secret-0123456789abcdef0123456789abcdef";
export const TEST_ADMIN = { username: "admin", password: "Admin-Passw0rd", email: "admin@example.com" };

export interface TestServer {
  baseUrl: string;
  /** The environment the server runs with (for running a CLI against the same database and keys). */
  env: NodeJS.ProcessEnv;
  /** Everything the server printed so far. */
  output(): string;
  /** The server process's id while it runs. */
  pid(): number | undefined;
  /** Stops the server (SIGTERM, then SIGKILL) and resolves with its exit code. */
  stop(): Promise<number | null>;
  /** Starts the server again on the same database and port. */
  restart(): Promise<void>;
  /** Opens the server's database; on PGlite only while the server is stopped. */
  openDatabase(): Promise<DatabaseHandle>;
  /** Stops the server and removes its database. */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

/** Runs the server until it exits by itself (for start-up failures); resolves with code and output. */
export async function runServerUntilExit(env: Record<string, string>, timeoutMs = 60_000) {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), "memoric-exit-"));
  const child = spawn(process.execPath, ["server.mjs"], {
    env: { ...process.env, NODE_ENV: "production", PORT: String(port), MEMORIC_DATA_DIR: dataDir, MEMORIC_JWT_SECRET: TEST_JWT_SECRET, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await waitForExit(child);
  clearTimeout(timer);
  await rm(dataDir, { recursive: true, force: true });
  return { code, output };
}

export async function startTestServer(extraEnv: Record<string, string> = {}): Promise<TestServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(path.join(tmpdir(), "memoric-test-"));
  const postgres = process.env.DATABASE_URL ? await createPostgresDatabase(process.env.DATABASE_URL) : null;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    MEMORIC_DATA_DIR: path.join(dataDir, "data"),
    MEMORIC_JWT_SECRET: TEST_JWT_SECRET,
    MEMORIC_ADMIN_USERNAME: TEST_ADMIN.username,
    MEMORIC_ADMIN_PASSWORD: TEST_ADMIN.password,
    MEMORIC_ADMIN_EMAIL: TEST_ADMIN.email,
    DATABASE_URL: postgres?.url ?? "",
    ...extraEnv,
  };
  let child: ChildProcess | null = null;
  let output = "";

  async function launch(): Promise<void> {
    const started = spawn(process.execPath, ["server.mjs"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = started;
    started.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    started.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (started.exitCode !== null) throw new Error(`server exited with ${started.exitCode}:\n${output}`);
      // Ready means start-up (migrations, admin) finished, not just that the port is open.
      if (output.includes("[memoric] ready")) {
        const ok = await fetch(`${baseUrl}/health`).then((r) => r.ok, () => false);
        if (ok) return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    started.kill("SIGKILL");
    throw new Error(`server did not start within 60 s:\n${output}`);
  }

  async function stop(): Promise<number | null> {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return running?.exitCode ?? null;
    running.kill("SIGTERM");
    const killer = setTimeout(() => running.kill("SIGKILL"), 10_000);
    const code = await waitForExit(running);
    clearTimeout(killer);
    return code;
  }

  await launch();
  return {
    baseUrl,
    env,
    output: () => output,
    pid: () => (child as ChildProcess | null)?.pid,
    stop,
    restart: launch,
    openDatabase: () =>
      postgres ? connect({ url: postgres.url, maxConnections: 2 }) : connect({ dataDir: path.join(dataDir, "data") }),
    dispose: async () => {
      await stop();
      await postgres?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
