// Table-driven bad input over every route: each case gets a 4xx JSON error, the server keeps
// answering, and no row changes. SQL-looking and odd Unicode strings are only data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Api } from "../support/api";
import { apiFor } from "../support/api";
import { startTestServer, type TestServer } from "../support/server";

let server: TestServer;
let api: Api;
const tokens: Record<"admin" | "user" | "none", string | undefined> = { admin: undefined, user: undefined, none: undefined };
let memoryId: number;
let userId: string;

interface Case {
  name: string;
  method: string;
  path: string | (() => string);
  as?: "admin" | "user" | "none";
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  field?: string;
}

const long = (n: number, c = "a") => c.repeat(n);
const json = { "content-type": "application/json" };
const huge = JSON.stringify({ content: long(1024 * 1024 + 10) });
const mem = (suffix = "") => () => `/memories/${memoryId}${suffix}`;

const cases: Case[] = [
  // Malformed bodies, content types and sizes
  { name: "register: malformed JSON", method: "POST", path: "/auth/register", raw: "{", headers: json, status: 400 },
  { name: "register: JSON array", method: "POST", path: "/auth/register", raw: "[]", headers: json, status: 400 },
  { name: "register: JSON string", method: "POST", path: "/auth/register", raw: '"x"', headers: json, status: 400 },
  { name: "register: JSON null", method: "POST", path: "/auth/register", raw: "null", headers: json, status: 400 },
  { name: "register: trailing garbage", method: "POST", path: "/auth/register", raw: '{"a":1} x', headers: json, status: 400 },
  { name: "register: text/plain", method: "POST", path: "/auth/register", raw: '{"username":"a"}', headers: { "content-type": "text/plain" }, status: 415 },
  { name: "register: form encoded", method: "POST", path: "/auth/register", raw: "username=a", headers: { "content-type": "application/x-www-form-urlencoded" }, status: 415 },
  { name: "register: body over 1 MiB", method: "POST", path: "/auth/register", raw: huge, headers: json, status: 413 },
  { name: "login: body over 1 MiB", method: "POST", path: "/auth/login", raw: huge, headers: json, status: 413 },
  { name: "memories: body over 1 MiB", method: "POST", path: "/memories", as: "user", raw: huge, headers: json, status: 413 },
  // Registration fields
  { name: "register: empty object", method: "POST", path: "/auth/register", body: {}, status: 422, field: "username" },
  { name: "register: short username", method: "POST", path: "/auth/register", body: { username: "ab", email: "a@b.co", password: "Passw0rd!" }, status: 422, field: "username" },
  { name: "register: long username", method: "POST", path: "/auth/register", body: { username: long(51), email: "a@b.co", password: "Passw0rd!" }, status: 422, field: "username" },
  { name: "register: username with spaces", method: "POST", path: "/auth/register", body: { username: "a b c", email: "a@b.co", password: "Passw0rd!" }, status: 422, field: "username" },
  { name: "register: SQL in username", method: "POST", path: "/auth/register", body: { username: "x'; DROP TABLE users;--", email: "a@b.co", password: "Passw0rd!" }, status: 422, field: "username" },
  { name: "register: emoji username", method: "POST", path: "/auth/register", body: { username: "🦄🦄🦄🦄", email: "a@b.co", password: "Passw0rd!" }, status: 422, field: "username" },
  { name: "register: username number", method: "POST", path: "/auth/register", body: { username: 12345, email: "a@b.co", password: "Passw0rd!" }, status: 422, field: "username" },
  { name: "register: username null", method: "POST", path: "/auth/register", body: { username: null, email: "a@b.co", password: "Passw0rd!" }, status: 422, field: "username" },
  { name: "register: bad email", method: "POST", path: "/auth/register", body: { username: "okname", email: "not-mail", password: "Passw0rd!" }, status: 422, field: "email" },
  { name: "register: email object", method: "POST", path: "/auth/register", body: { username: "okname", email: { a: 1 }, password: "Passw0rd!" }, status: 422, field: "email" },
  { name: "register: password without digit", method: "POST", path: "/auth/register", body: { username: "okname", email: "a@b.co", password: "Password!" }, status: 422, field: "password" },
  { name: "register: password without upper", method: "POST", path: "/auth/register", body: { username: "okname", email: "a@b.co", password: "passw0rd!" }, status: 422, field: "password" },
  { name: "register: password too long", method: "POST", path: "/auth/register", body: { username: "okname", email: "a@b.co", password: `Aa1${long(130)}` }, status: 422, field: "password" },
  { name: "register: password array", method: "POST", path: "/auth/register", body: { username: "okname", email: "a@b.co", password: ["Passw0rd!"] }, status: 422, field: "password" },
  { name: "register: long full name", method: "POST", path: "/auth/register", body: { username: "okname", email: "a@b.co", password: "Passw0rd!", full_name: long(201) }, status: 422, field: "full_name" },
  { name: "register: bad namespace", method: "POST", path: "/auth/register", body: { username: "okname", email: "a@b.co", password: "Passw0rd!", namespace: "a b/c" }, status: 422, field: "namespace" },
  // Login
  { name: "login: empty object", method: "POST", path: "/auth/login", body: {}, status: 422, field: "username" },
  { name: "login: username number", method: "POST", path: "/auth/login", body: { username: 1, password: "x" }, status: 422, field: "username" },
  { name: "login: password array", method: "POST", path: "/auth/login", body: { username: "a", password: [1] }, status: 422, field: "password" },
  { name: "login: username too long", method: "POST", path: "/auth/login", body: { username: long(300), password: "x" }, status: 422, field: "username" },
  { name: "login: malformed JSON", method: "POST", path: "/auth/login", raw: '{"username": "a",', headers: json, status: 400 },
  { name: "login: SQL in username is just a wrong login", method: "POST", path: "/auth/login", body: { username: "' OR '1'='1' --", password: "' OR '1'='1" }, status: 401 },
  { name: "login: NUL in username", method: "POST", path: "/auth/login", body: { username: "adm\u0000in", password: "x" }, status: 422 },
  // Credentials
  { name: "me: no token", method: "GET", path: "/auth/me", status: 401 },
  { name: "me: huge bearer token", method: "GET", path: "/auth/me", headers: { authorization: `Bearer ${long(10_000)}` }, status: 401 },
  { name: "me: wrong scheme", method: "GET", path: "/auth/me", headers: { authorization: "Token abc" }, status: 401 },
  { name: "me: token with spaces", method: "GET", path: "/auth/me", headers: { authorization: "Bearer a b c" }, status: 401 },
  // Password change
  { name: "change-password: weak new", method: "POST", path: "/auth/change-password", as: "user", body: { old_password: "x", new_password: "weak" }, status: 422, field: "new_password" },
  { name: "change-password: missing old", method: "POST", path: "/auth/change-password", as: "user", body: { new_password: "Passw0rd-new" }, status: 422, field: "old_password" },
  { name: "change-password: old number", method: "POST", path: "/auth/change-password", as: "user", body: { old_password: 5, new_password: "Passw0rd-new" }, status: 422, field: "old_password" },
  { name: "change-password: wrong old", method: "POST", path: "/auth/change-password", as: "user", body: { old_password: "Wrong-Passw0rd", new_password: "Passw0rd-new" }, status: 400 },
  // Admin user routes
  { name: "users: limit 0", method: "GET", path: "/auth/users?limit=0", as: "admin", status: 422, field: "limit" },
  { name: "users: limit 501", method: "GET", path: "/auth/users?limit=501", as: "admin", status: 422, field: "limit" },
  { name: "users: offset -1", method: "GET", path: "/auth/users?offset=-1", as: "admin", status: 422, field: "offset" },
  { name: "users: limit text", method: "GET", path: "/auth/users?limit=ten", as: "admin", status: 422, field: "limit" },
  { name: "users: repeated limit takes the last", method: "GET", path: "/auth/users?limit=5&limit=abc", as: "admin", status: 422, field: "limit" },
  { name: "user: NUL in name", method: "GET", path: "/auth/users/a%00b", as: "admin", status: 422, field: "username" },
  { name: "user: unknown", method: "GET", path: "/auth/users/no_such_user", as: "admin", status: 404 },
  { name: "patch user: roles string", method: "PATCH", path: "/auth/users/bad_input_user", as: "admin", body: { roles: "admin" }, status: 422, field: "roles" },
  { name: "patch user: roles empty", method: "PATCH", path: "/auth/users/bad_input_user", as: "admin", body: { roles: [] }, status: 422, field: "roles" },
  { name: "patch user: unknown role", method: "PATCH", path: "/auth/users/bad_input_user", as: "admin", body: { roles: ["superuser"] }, status: 422, field: "roles.0" },
  { name: "patch user: is_active text", method: "PATCH", path: "/auth/users/bad_input_user", as: "admin", body: { is_active: "yes" }, status: 422, field: "is_active" },
  { name: "patch user: bad email", method: "PATCH", path: "/auth/users/bad_input_user", as: "admin", body: { email: "x" }, status: 422, field: "email" },
  { name: "patch user: nothing", method: "PATCH", path: "/auth/users/bad_input_user", as: "admin", body: {}, status: 422 },
  { name: "patch user: by a user", method: "PATCH", path: "/auth/users/bad_input_user", as: "user", body: { roles: ["admin"] }, status: 403 },
  { name: "reset password: weak", method: "POST", path: "/auth/users/bad_input_user/reset-password", as: "admin", body: { new_password: "weak" }, status: 422, field: "new_password" },
  { name: "reset password: missing", method: "POST", path: "/auth/users/bad_input_user/reset-password", as: "admin", body: {}, status: 422, field: "new_password" },
  { name: "delete user: by a user", method: "DELETE", path: "/auth/users/admin", as: "user", status: 403 },
  { name: "delete user: unknown", method: "DELETE", path: "/auth/users/no_such_user", as: "admin", status: 404 },
  // Memories
  { name: "create memory: empty object", method: "POST", path: "/memories", as: "user", body: {}, status: 422, field: "content" },
  { name: "create memory: empty content", method: "POST", path: "/memories", as: "user", body: { content: "" }, status: 422, field: "content" },
  { name: "create memory: content too long", method: "POST", path: "/memories", as: "user", body: { content: long(100_001) }, status: 422, field: "content" },
  { name: "create memory: content number", method: "POST", path: "/memories", as: "user", body: { content: 42 }, status: 422, field: "content" },
  { name: "create memory: unknown tier", method: "POST", path: "/memories", as: "user", body: { content: "x", tier: "forever" }, status: 422, field: "tier" },
  { name: "create memory: score 101", method: "POST", path: "/memories", as: "user", body: { content: "x", score: 101 }, status: 422, field: "score" },
  { name: "create memory: score -1", method: "POST", path: "/memories", as: "user", body: { content: "x", score: -1 }, status: 422, field: "score" },
  { name: "create memory: score 1.5", method: "POST", path: "/memories", as: "user", body: { content: "x", score: 1.5 }, status: 422, field: "score" },
  { name: "create memory: score text", method: "POST", path: "/memories", as: "user", body: { content: "x", score: "50" }, status: 422, field: "score" },
  { name: "create memory: metadata array", method: "POST", path: "/memories", as: "user", body: { content: "x", metadata: [1, 2] }, status: 422, field: "metadata" },
  { name: "create memory: metadata string", method: "POST", path: "/memories", as: "user", body: { content: "x", metadata: "{}" }, status: 422, field: "metadata" },
  { name: "create memory: long thread id", method: "POST", path: "/memories", as: "user", body: { content: "x", thread_id: long(129) }, status: 422, field: "thread_id" },
  { name: "create memory: empty namespace", method: "POST", path: "/memories", as: "user", body: { content: "x", namespace: "" }, status: 422, field: "namespace" },
  { name: "create memory: NUL in content", method: "POST", path: "/memories", as: "user", body: { content: "a\u0000b" }, status: 422 },
  { name: "create memory: malformed JSON", method: "POST", path: "/memories", as: "user", raw: "{content:'x'}", headers: json, status: 400 },
  { name: "create memory: JSON array", method: "POST", path: "/memories", as: "user", raw: '[{"content":"x"}]', headers: json, status: 400 },
  { name: "create memory: text/plain", method: "POST", path: "/memories", as: "user", raw: '{"content":"x"}', headers: { "content-type": "text/plain" }, status: 415 },
  { name: "create memory: no token", method: "POST", path: "/memories", body: { content: "x" }, status: 401 },
  { name: "create memory: for another user", method: "POST", path: "/memories", as: "user", body: { content: "x", user_id: "someone-else" }, status: 403 },
  { name: "list memories: top_k 0", method: "GET", path: "/memories?top_k=0", as: "user", status: 422, field: "top_k" },
  { name: "list memories: top_k 101", method: "GET", path: "/memories?top_k=101", as: "user", status: 422, field: "top_k" },
  { name: "list memories: top_k text", method: "GET", path: "/memories?top_k=all", as: "user", status: 422, field: "top_k" },
  { name: "list memories: unknown tier", method: "GET", path: "/memories?tier=forever", as: "user", status: 422, field: "tier" },
  { name: "list memories: another user's", method: "GET", path: "/memories?user_id=someone-else", as: "user", status: 403 },
  { name: "get memory: text id", method: "GET", path: "/memories/abc", as: "user", status: 422, field: "id" },
  { name: "get memory: negative id", method: "GET", path: "/memories/-1", as: "user", status: 422, field: "id" },
  { name: "get memory: zero id", method: "GET", path: "/memories/0", as: "user", status: 422, field: "id" },
  { name: "get memory: huge id", method: "GET", path: "/memories/99999999999999999999", as: "user", status: 422, field: "id" },
  { name: "get memory: fractional id", method: "GET", path: "/memories/1.5", as: "user", status: 422, field: "id" },
  { name: "get memory: traversal", method: "GET", path: "/memories/..%2F..%2Fetc", as: "user", status: 422, field: "id" },
  { name: "get memory: missing", method: "GET", path: "/memories/987654321", as: "user", status: 404 },
  { name: "patch memory: score 500", method: "PATCH", path: mem(), as: "user", body: { score: 500 }, status: 422, field: "score" },
  { name: "patch memory: unknown tier", method: "PATCH", path: mem(), as: "user", body: { tier: "x" }, status: 422, field: "tier" },
  { name: "patch memory: empty content", method: "PATCH", path: mem(), as: "user", body: { content: "" }, status: 422, field: "content" },
  { name: "patch memory: metadata null", method: "PATCH", path: mem(), as: "user", body: { metadata: 7 }, status: 422, field: "metadata" },
  { name: "patch memory: malformed JSON", method: "PATCH", path: mem(), as: "user", raw: "{", headers: json, status: 400 },
  { name: "patch memory: no token", method: "PATCH", path: mem(), body: { score: 1 }, status: 401 },
  { name: "patch memory: missing", method: "PATCH", path: "/memories/987654321", as: "user", body: { score: 1 }, status: 404 },
  { name: "delete memory: text id", method: "DELETE", path: "/memories/abc", as: "user", status: 422, field: "id" },
  { name: "delete memory: missing", method: "DELETE", path: "/memories/987654321", as: "user", status: 404 },
  { name: "search: no q", method: "GET", path: "/memories/search", as: "user", status: 422, field: "q" },
  { name: "search: empty q", method: "GET", path: "/memories/search?q=", as: "user", status: 422, field: "q" },
  { name: "search: q too long", method: "GET", path: `/memories/search?q=${long(1001)}`, as: "user", status: 422, field: "q" },
  { name: "search: top_k 0", method: "GET", path: "/memories/search?q=x&top_k=0", as: "user", status: 422, field: "top_k" },
  // Clusters
  { name: "clusters: limit 0", method: "GET", path: "/clusters?limit=0", as: "user", status: 422, field: "limit" },
  { name: "clusters: limit 201", method: "GET", path: "/clusters?limit=201", as: "user", status: 422, field: "limit" },
  { name: "clusters: limit text", method: "GET", path: "/clusters?limit=x", as: "user", status: 422, field: "limit" },
  { name: "clusters: another user's", method: "GET", path: "/clusters?user_id=someone-else", as: "user", status: 403 },
  { name: "rebuild: malformed JSON", method: "POST", path: "/clusters/rebuild", as: "user", raw: "{", headers: json, status: 400 },
  { name: "rebuild: user_id number", method: "POST", path: "/clusters/rebuild", as: "user", body: { user_id: 5 }, status: 422, field: "user_id" },
  { name: "rebuild: text/plain", method: "POST", path: "/clusters/rebuild", as: "user", raw: "{}", headers: { "content-type": "text/plain" }, status: 415 },
  { name: "rebuild: another user's", method: "POST", path: "/clusters/rebuild", as: "user", body: { user_id: "someone-else" }, status: 403 },
  { name: "cluster: id too long", method: "GET", path: `/clusters/${long(129)}`, as: "user", status: 422, field: "id" },
  { name: "cluster: missing", method: "GET", path: "/clusters/no-such-cluster", as: "user", status: 404 },
  { name: "patch cluster: missing", method: "PATCH", path: "/clusters/no-such-cluster", as: "admin", body: { summary: "x" }, status: 404 },
  { name: "patch cluster: summary number", method: "PATCH", path: "/clusters/no-such-cluster", as: "admin", body: { summary: 5 }, status: 422, field: "summary" },
  { name: "delete cluster: missing", method: "DELETE", path: "/clusters/no-such-cluster", as: "admin", status: 404 },
  // Policies
  { name: "policies: by a user", method: "GET", path: "/policies", as: "user", status: 403 },
  { name: "run policies: by a user", method: "POST", path: "/policies/run", as: "user", body: {}, status: 403 },
  { name: "run policies: dry_run text", method: "POST", path: "/policies/run", as: "admin", body: { dry_run: "yes" }, status: 422, field: "dry_run" },
  { name: "run policies: user_id number", method: "POST", path: "/policies/run", as: "admin", body: { user_id: 1 }, status: 422, field: "user_id" },
  { name: "run policies: malformed JSON", method: "POST", path: "/policies/run", as: "admin", raw: "[", headers: json, status: 400 },
  // Audit
  { name: "audit logs: limit 0", method: "GET", path: "/audit/logs?limit=0", as: "admin", status: 422, field: "limit" },
  { name: "audit logs: limit 1001", method: "GET", path: "/audit/logs?limit=1001", as: "admin", status: 422, field: "limit" },
  { name: "audit logs: offset -5", method: "GET", path: "/audit/logs?offset=-5", as: "admin", status: 422, field: "offset" },
  { name: "audit logs: hours 0", method: "GET", path: "/audit/logs?hours=0", as: "admin", status: 422, field: "hours" },
  { name: "audit logs: hours 721", method: "GET", path: "/audit/logs?hours=721", as: "admin", status: 422, field: "hours" },
  { name: "audit logs: hours 1e3", method: "GET", path: "/audit/logs?hours=1e9", as: "admin", status: 422, field: "hours" },
  { name: "audit logs: unknown event type", method: "GET", path: "/audit/logs?event_type=memory.exploded", as: "admin", status: 422, field: "event_type" },
  { name: "audit logs: event type list with a bad one", method: "GET", path: "/audit/logs?event_type=auth.logout,nope", as: "admin", status: 422, field: "event_type" },
  { name: "audit logs: unknown severity", method: "GET", path: "/audit/logs?severity=fatal", as: "admin", status: 422, field: "severity" },
  { name: "audit logs: success maybe", method: "GET", path: "/audit/logs?success=maybe", as: "admin", status: 422, field: "success" },
  { name: "audit logs: bad start_time", method: "GET", path: "/audit/logs?start_time=last-week", as: "admin", status: 422, field: "start_time" },
  { name: "audit logs: end before start", method: "GET", path: "/audit/logs?start_time=2026-02-01T00:00:00Z&end_time=2026-01-01T00:00:00Z", as: "admin", status: 422, field: "end_time" },
  { name: "audit logs: forged cursor", method: "GET", path: "/audit/logs?cursor=MjAyNnwx", as: "admin", status: 422, field: "cursor" },
  { name: "audit logs: q too long", method: "GET", path: `/audit/logs?q=${long(501)}`, as: "admin", status: 422, field: "q" },
  { name: "audit logs: empty user_id", method: "GET", path: "/audit/logs?user_id=", as: "admin", status: 422, field: "user_id" },
  { name: "audit logs: by a user", method: "GET", path: "/audit/logs", as: "user", status: 403 },
  { name: "audit log: text id", method: "GET", path: "/audit/logs/abc", as: "admin", status: 422, field: "id" },
  { name: "audit log: zero id", method: "GET", path: "/audit/logs/0", as: "admin", status: 422, field: "id" },
  { name: "audit log: missing", method: "GET", path: "/audit/logs/999999999", as: "admin", status: 404 },
  { name: "user activity: hours 0", method: "GET", path: "/audit/logs/user/x?hours=0", as: "admin", status: 422, field: "hours" },
  { name: "user activity: limit 0", method: "GET", path: "/audit/logs/user/x?limit=0", as: "admin", status: 422, field: "limit" },
  { name: "security: limit 5000", method: "GET", path: "/audit/logs/security?limit=5000", as: "admin", status: 422, field: "limit" },
  { name: "statistics: hours 9999", method: "GET", path: "/audit/statistics?hours=9999", as: "admin", status: 422, field: "hours" },
  { name: "statistics: bad end_time", method: "GET", path: "/audit/statistics?end_time=tomorrow", as: "admin", status: 422, field: "end_time" },
  { name: "export: unknown format", method: "GET", path: "/audit/export?format=pdf", as: "admin", status: 422, field: "format" },
  { name: "export: by a user", method: "GET", path: "/audit/export", as: "user", status: 403 },
  { name: "stream: bad severity", method: "GET", path: "/audit/stream?severity=x", as: "admin", status: 422, field: "severity" },
  // Methods
  { name: "DELETE /auth/login", method: "DELETE", path: "/auth/login", status: 405 },
  { name: "PUT /memories", method: "PUT", path: "/memories", as: "user", body: {}, status: 405 },
  { name: "POST /audit/logs", method: "POST", path: "/audit/logs", as: "admin", body: {}, status: 405 },
  { name: "PUT /clusters/rebuild", method: "PUT", path: "/clusters/rebuild", as: "user", body: {}, status: 405 },
  { name: "DELETE /policies", method: "DELETE", path: "/policies", as: "admin", status: 405 },
  { name: "POST /auth/me", method: "POST", path: "/auth/me", as: "user", status: 405 },
];

async function snapshot() {
  const users = await api.get("/auth/users?limit=500", { token: tokens.admin });
  const memories = await api.get(`/memories?user_id=${userId}&top_k=100`, { token: tokens.admin });
  const clusters = await api.get(`/clusters?user_id=${userId}&limit=200`, { token: tokens.admin });
  return JSON.stringify([users.body, memories.body, clusters.body]);
}

beforeAll(async () => {
  server = await startTestServer({ MEMORIC_RATE_LIMIT_PER_MINUTE: "0" });
  api = apiFor(server);
  tokens.admin = await api.adminToken();
  const user = await api.createUser("bad_input_user");
  tokens.user = user.token;
  userId = user.user.id;
  const created = await api.post("/memories", { content: "the one memory", metadata: { topic: "tests" } }, { token: tokens.user });
  memoryId = created.body.id;
  await api.post("/clusters/rebuild", {}, { token: tokens.user });
});

afterAll(async () => {
  await server?.dispose();
});

describe("bad input", () => {
  it("has at least 100 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
  });

  it("gets a 4xx JSON error for every case, the server keeps answering, and no row changes", async () => {
    const before = await snapshot();
    const failures: string[] = [];
    for (const c of cases) {
      const path = typeof c.path === "function" ? c.path() : c.path;
      const response = await api.request(c.method, path, {
        token: c.as && c.as !== "none" ? tokens[c.as] : undefined,
        body: c.body,
        rawBody: c.raw,
        headers: c.headers,
      });
      const problems: string[] = [];
      if (response.status !== c.status) problems.push(`status ${response.status} (wanted ${c.status}): ${response.text.slice(0, 200)}`);
      if (!response.headers.get("content-type")?.startsWith("application/json")) problems.push("not JSON");
      if (typeof response.body?.error?.code !== "string" || typeof response.body?.error?.message !== "string") problems.push("no error object");
      if (c.field && !response.body?.error?.details?.some?.((d: any) => d.field === c.field)) {
        problems.push(`no field error for ${c.field}: ${JSON.stringify(response.body?.error?.details)}`);
      }
      if (problems.length) failures.push(`${c.name}: ${problems.join("; ")}`);
      const health = await api.get("/health");
      if (health.status !== 200) failures.push(`${c.name}: server stopped answering`);
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toBe(before);
  });
});

describe("strings that look dangerous are only data", () => {
  it.each([
    ["SQL", "'; DROP TABLE memories; -- ' OR 1=1"],
    ["bidirectional and emoji", "🦄 \u202egnp.exe \u0301\u200d"],
    ["lone surrogate", "\ud800 alone"],
    ["HTML", "<script>alert(1)</script>"],
    ["long", "word ".repeat(20_000)],
  ])("%s content is stored and read back as written", async (_name, content) => {
    const created = await api.post("/memories", { content, metadata: { note: content.slice(0, 100) } }, { token: tokens.user });
    expect(created.status).toBe(201);
    const read = await api.get(`/memories/${created.body.id}`, { token: tokens.user });
    expect(read.body.content).toBe(content.toWellFormed());
    const q = encodeURIComponent(content.slice(0, 50).toWellFormed());
    const search = await api.get(`/memories/search?q=${q}`, { token: tokens.user });
    expect(search.status).toBe(200);
    const logs = await api.get(`/audit/logs?q=${q}`, { token: tokens.admin });
    expect(logs.status).toBe(200);
    expect((await api.delete(`/memories/${created.body.id}`, { token: tokens.user })).status).toBe(204);
  });
});
