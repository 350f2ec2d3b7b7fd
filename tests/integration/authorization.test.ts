// The authorization matrix: every route against anonymous, owner, other user, readonly, admin,
// and expired, revoked and forged tokens.
import { SignJWT, decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Api } from "../support/api";
import { apiFor } from "../support/api";
import { TEST_JWT_SECRET, startTestServer, type TestServer } from "../support/server";

type Identity = "anonymous" | "owner" | "other" | "readonly" | "admin" | "expired" | "revoked" | "forged";
const IDENTITIES: Identity[] = ["anonymous", "owner", "other", "readonly", "admin", "expired", "revoked", "forged"];

let server: TestServer;
let api: Api;
const tokens: Partial<Record<Identity, string>> = {};
let owner: any;
let ownerMemory: number;
let ownerCluster: string;
let auditLogId: number;

interface Route {
  method: string;
  path: () => string | Promise<string>;
  body?: unknown;
  /** Expected status per identity; bad tokens always get 401 unless `public`. */
  expect: Partial<Record<Identity, number>>;
  public?: boolean;
  stream?: boolean;
}

const A = (anonymous: number, owner: number, other: number, readonly: number, admin: number) => ({ anonymous, owner, other, readonly, admin });
const newOwnerMemory = async () => {
  const created = await api.post("/memories", { content: "to be deleted", metadata: { topic: "deletable" } }, { token: tokens.owner });
  return `/memories/${created.body.id}`;
};

const routes: Route[] = [
  { method: "GET", path: () => "/health", expect: A(200, 200, 200, 200, 200), public: true },
  { method: "GET", path: () => "/ready", expect: A(200, 200, 200, 200, 200), public: true },
  { method: "POST", path: () => "/auth/register", body: { username: "x", email: "x", password: "x" }, expect: A(422, 422, 422, 422, 422) },
  { method: "POST", path: () => "/auth/login", body: { username: "nobody_at_all", password: "Wrong-Passw0rd" }, expect: A(401, 401, 401, 401, 401) },
  { method: "GET", path: () => "/auth/me", expect: A(401, 200, 200, 200, 200) },
  { method: "POST", path: () => "/auth/change-password", body: { old_password: "Wrong-Passw0rd", new_password: "Another-Passw0rd" }, expect: A(401, 400, 400, 400, 400) },
  { method: "GET", path: () => "/auth/users", expect: A(401, 403, 403, 403, 200) },
  { method: "GET", path: () => "/auth/users/owner_user", expect: A(401, 200, 403, 403, 200) },
  { method: "PATCH", path: () => "/auth/users/owner_user", body: { full_name: "Owner" }, expect: A(401, 403, 403, 403, 200) },
  { method: "POST", path: () => "/auth/users/owner_user/reset-password", body: { new_password: "Passw0rd-owner_user" }, expect: A(401, 403, 403, 403, 200) },
  { method: "DELETE", path: () => "/auth/users/not_a_user", expect: A(401, 403, 403, 403, 404) },
  { method: "POST", path: () => "/memories", body: { content: "matrix memory" }, expect: A(401, 201, 201, 403, 201) },
  { method: "GET", path: () => "/memories", expect: A(401, 200, 200, 200, 200) },
  { method: "GET", path: () => `/memories?user_id=${owner.id}`, expect: A(401, 200, 403, 403, 200) },
  { method: "GET", path: () => "/memories/search?q=matrix", expect: A(401, 200, 200, 200, 200) },
  { method: "GET", path: () => `/memories/${ownerMemory}`, expect: A(401, 200, 403, 403, 200) },
  { method: "PATCH", path: () => `/memories/${ownerMemory}`, body: { score: 60 }, expect: A(401, 200, 403, 403, 200) },
  { method: "DELETE", path: newOwnerMemory, expect: A(401, 204, 403, 403, 204) },
  { method: "GET", path: () => "/clusters", expect: A(401, 200, 200, 200, 200) },
  { method: "GET", path: () => `/clusters?user_id=${owner.id}`, expect: A(401, 200, 403, 403, 200) },
  { method: "POST", path: () => "/clusters/rebuild", body: {}, expect: A(401, 200, 200, 403, 200) },
  { method: "GET", path: () => `/clusters/${encodeURIComponent(ownerCluster)}`, expect: A(401, 200, 403, 403, 200) },
  { method: "PATCH", path: () => `/clusters/${encodeURIComponent(ownerCluster)}`, body: { summary: "edited" }, expect: A(401, 403, 403, 403, 200) },
  { method: "DELETE", path: () => "/clusters/not-a-cluster", expect: A(401, 403, 403, 403, 404) },
  { method: "GET", path: () => "/policies", expect: A(401, 403, 403, 403, 200) },
  { method: "POST", path: () => "/policies/run", body: { dry_run: true }, expect: A(401, 403, 403, 403, 200) },
  { method: "GET", path: () => "/audit/logs", expect: A(401, 403, 403, 403, 200) },
  { method: "GET", path: () => `/audit/logs/${auditLogId}`, expect: A(401, 403, 403, 403, 200) },
  { method: "GET", path: () => `/audit/logs/user/${owner.id}`, expect: A(401, 403, 403, 403, 200) },
  { method: "GET", path: () => "/audit/logs/security", expect: A(401, 403, 403, 403, 200) },
  { method: "GET", path: () => "/audit/statistics", expect: A(401, 403, 403, 403, 200) },
  { method: "GET", path: () => "/audit/events/types", expect: A(401, 403, 403, 403, 200) },
  { method: "GET", path: () => "/audit/severity/levels", expect: A(401, 403, 403, 403, 200) },
  { method: "GET", path: () => "/audit/export?format=csv", expect: A(401, 403, 403, 403, 200) },
  { method: "GET", path: () => "/audit/stream", expect: A(401, 403, 403, 403, 200), stream: true },
  // Last: logging out revokes the token it is called with.
  { method: "POST", path: () => "/auth/logout", expect: A(401, 200, 200, 200, 200) },
];

async function status(route: Route, path: string, identity: Identity): Promise<number> {
  const token = identity === "anonymous" ? undefined : tokens[identity];
  if (route.stream) {
    const controller = new AbortController();
    const response = await fetch(`${server.baseUrl}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: controller.signal,
    });
    controller.abort();
    return response.status;
  }
  return (await api.request(route.method, path, { token, body: route.body })).status;
}

beforeAll(async () => {
  server = await startTestServer({ MEMORIC_RATE_LIMIT_PER_MINUTE: "0" });
  api = apiFor(server);
  tokens.admin = await api.adminToken();
  const o = await api.createUser("owner_user");
  owner = o.user;
  tokens.owner = o.token;
  tokens.other = (await api.createUser("other_user")).token;
  tokens.readonly = (await api.createUser("readonly_user", ["readonly"])).token;
  const revokedUser = await api.createUser("revoked_user");
  await api.post("/auth/logout", undefined, { token: revokedUser.token });
  tokens.revoked = revokedUser.token;
  const secret = new TextEncoder().encode(TEST_JWT_SECRET);
  const now = Math.floor(Date.now() / 1000);
  tokens.expired = await new SignJWT({ roles: ["admin"], namespace: null })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(decodeJwt(tokens.admin).sub!)
    .setJti(crypto.randomUUID())
    .setIssuedAt(now - 7200)
    .setExpirationTime(now - 3600)
    .sign(secret);
  tokens.forged = await new SignJWT({ roles: ["admin"], namespace: null })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(decodeJwt(tokens.admin).sub!)
    .setJti(crypto.randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode("an attacker's guess at the secret, long enough"));

  const memory = await api.post("/memories", { content: "the owner's memory about matrix tests", metadata: { topic: "matrix" } }, { token: tokens.owner });
  ownerMemory = memory.body.id;
  const rebuilt = await api.post("/clusters/rebuild", {}, { token: tokens.owner });
  ownerCluster = rebuilt.body.clusters[0].cluster_id;
  auditLogId = (await api.auditLogs(tokens.admin, { event_type: "memory.created" }))[0].id;
});

afterAll(async () => {
  await server?.dispose();
});

describe("the authorization matrix", () => {
  it("answers every route with the expected status for every identity", async () => {
    const got: string[] = [];
    const want: string[] = [];
    for (const route of routes) {
      for (const identity of IDENTITIES) {
        const expected = route.expect[identity] ?? (route.public ? 200 : 401);
        const path = await route.path();
        const actual = await status(route, path, identity);
        got.push(`${route.method} ${path} as ${identity}: ${actual}`);
        want.push(`${route.method} ${path} as ${identity}: ${expected}`);
      }
    }
    // Compared as lists, so a failure shows every cell that differs.
    expect(got).toEqual(want);
  });

  it("recorded every 403 as authz.access.denied with the caller", async () => {
    const admin = await api.adminToken();
    const denied = await api.auditLogs(admin, { event_type: "authz.access.denied" });
    const forbidden = routes.flatMap((r) => (["owner", "other", "readonly"] as const).filter((i) => r.expect[i] === 403));
    expect(denied.length).toBe(forbidden.length);
    expect(denied.every((e) => e.status_code === 403 && e.user_id && e.severity === "warning" && !e.success)).toBe(true);
  });
});
