// /auth over HTTP: accounts, tokens, sessions, the admin user routes, and the audit rows each writes.
import { SignJWT, decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Api} from "../support/api";
import { apiFor } from "../support/api";
import { TEST_ADMIN, TEST_JWT_SECRET, startTestServer, type TestServer } from "../support/server";

let server: TestServer;
let api: Api;
let admin: string;
const UA = "memoric-tests/1.0";

beforeAll(async () => {
  server = await startTestServer();
  api = apiFor(server);
  admin = await api.adminToken();
});

afterAll(async () => {
  await server?.dispose();
});

const latest = async (filters: Record<string, string>) => (await api.auditLogs(admin, filters))[0];

describe("POST /auth/register", () => {
  it("creates a user with the user role and records user.created without secrets", async () => {
    const response = await api.post(
      "/auth/register",
      { username: "reg_user", email: "Reg@Example.com", password: "Passw0rd-reg", full_name: "Reg User", namespace: "team-a" },
      { headers: { "user-agent": UA } },
    );
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      username: "reg_user",
      email: "reg@example.com",
      full_name: "Reg User",
      namespace: "team-a",
      roles: ["user"],
      is_active: true,
      is_verified: false,
      created_at: expect.stringMatching(/Z$/),
      last_login_at: null,
    });
    const event = await latest({ event_type: "user.created", resource_id: response.body.id });
    expect(event).toMatchObject({
      user_id: response.body.id,
      username: "reg_user",
      resource_type: "user",
      ip_address: "127.0.0.1",
      user_agent: UA,
      request_method: "POST",
      request_path: "/auth/register",
      success: true,
      severity: "info",
      metadata: { source: "register" },
      compliance_tags: ["auth", "security"],
    });
    expect(JSON.stringify(event)).not.toContain("Passw0rd-reg");
  });

  it("refuses a duplicate username or e-mail with 409 and writes nothing", async () => {
    const before = (await api.auditLogs(admin, { event_type: "user.created" })).length;
    expect((await api.post("/auth/register", { username: "reg_user", email: "other@example.com", password: "Passw0rd-x" })).status).toBe(409);
    const dupEmail = await api.post("/auth/register", { username: "other_user", email: "REG@example.com", password: "Passw0rd-x" });
    expect(dupEmail.status).toBe(409);
    expect(dupEmail.body.error).toEqual({ code: "conflict", message: "Username or email already registered" });
    expect((await api.auditLogs(admin, { event_type: "user.created" })).length).toBe(before);
  });

  it("answers 422 with field errors for invalid input", async () => {
    const response = await api.post("/auth/register", { username: "x", email: "nope", password: "short" });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe("validation_failed");
    expect([...new Set(response.body.error.details.map((d: any) => d.field))].sort()).toEqual(["email", "password", "username"]);
    expect(response.body.error.details.every((d: any) => d.location === "body" && d.message)).toBe(true);
  });
});

describe("POST /auth/login", () => {
  it("logs in by username or e-mail, issues an HS256 token with the claims, and records both events", async () => {
    await api.createUser("login_user");
    for (const name of ["login_user", "login_user@example.com"]) {
      const response = await api.post("/auth/login", { username: name, password: "Passw0rd-login_user" }, { headers: { "user-agent": UA } });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ token_type: "bearer", expires_in: 3600, user: { username: "login_user", roles: ["user"] } });
      expect(response.body.user.last_login_at).toMatch(/Z$/);
      const token = response.body.access_token as string;
      expect(decodeProtectedHeader(token).alg).toBe("HS256");
      const claims = decodeJwt(token);
      expect(claims).toMatchObject({ sub: response.body.user.id, roles: ["user"], namespace: null });
      expect(claims.exp! - claims.iat!).toBe(3600);
      expect(claims.jti).toEqual(expect.any(String));
      const success = await latest({ event_type: "auth.login.success", user_id: response.body.user.id });
      expect(success).toMatchObject({ username: "login_user", ip_address: "127.0.0.1", user_agent: UA, session_id: claims.jti, metadata: { roles: ["user"], method: "password" } });
      const created = await latest({ event_type: "auth.token.created", user_id: response.body.user.id });
      expect(created).toMatchObject({ resource_type: "token", resource_id: claims.jti, session_id: claims.jti });
      expect(JSON.stringify([success, created])).not.toContain(token);
    }
  });

  it.each([
    ["a wrong password", "login_user", "Wrong-Passw0rd", "Wrong password"],
    ["an unknown user", "nobody_here", "Whatever-1", "Unknown user"],
  ])("answers 401 Invalid credentials for %s and records auth.login.failed", async (_case, username, password, reason) => {
    const response = await api.post("/auth/login", { username, password });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(response.body.error).toEqual({ code: "unauthorized", message: "Invalid credentials" });
    const event = await latest({ event_type: "auth.login.failed", username });
    expect(event).toMatchObject({ success: false, severity: "warning", error_message: reason, status_code: 401, ip_address: "127.0.0.1" });
    expect(JSON.stringify(event)).not.toContain(password);
  });
});

describe("tokens", () => {
  it("GET /auth/me answers the caller; POST /auth/logout revokes the token", async () => {
    const { token, user } = await api.createUser("logout_user");
    expect((await api.get("/auth/me", { token })).body).toMatchObject({ id: user.id, username: "logout_user" });
    const out = await api.post("/auth/logout", undefined, { token });
    expect(out.status).toBe(200);
    expect(out.body.message).toEqual(expect.any(String));
    expect(await latest({ event_type: "auth.logout", user_id: user.id })).toMatchObject({ metadata: { token_revoked: true } });
    const again = await api.get("/auth/me", { token });
    expect(again.status).toBe(401);
    const invalid = await api.auditLogs(admin, { event_type: "auth.token.invalid" });
    expect(invalid.find((e) => e.metadata?.failure === "revoked")).toMatchObject({ success: false, status_code: 401, request_path: "/auth/me" });
  });

  const sign = (claims: Record<string, unknown>, secret = TEST_JWT_SECRET) =>
    new SignJWT({ roles: ["admin"], namespace: null, ...claims })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("someone")
      .setJti(crypto.randomUUID())
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
      .sign(new TextEncoder().encode(secret));

  it("an expired token gives 401 and auth.token.expired", async () => {
    const me = decodeJwt(admin);
    const expired = await new SignJWT({ roles: ["admin"], namespace: null })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(me.sub!)
      .setJti(crypto.randomUUID())
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const response = await api.get("/audit/logs", { token: expired });
    expect(response.status).toBe(401);
    expect(response.body.error.message).toBe("Token has expired");
    expect(await latest({ event_type: "auth.token.expired" })).toMatchObject({ success: false, severity: "warning", request_path: "/audit/logs" });
  });

  it("a forged signature or alg none gives 401, auth.token.invalid and a critical security.breach.attempt", async () => {
    const forged = await sign({}, "another-secret-that-is-long-enough-to-sign");
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const payload = Buffer.from(JSON.stringify({ sub: decodeJwt(admin).sub, roles: ["admin"], exp: 9999999999 })).toString("base64url");
    for (const [token, failure] of [[forged, "bad_signature"], [`${header}.${payload}.`, "alg_none"]] as const) {
      const response = await api.get("/audit/logs", { token });
      expect(response.status).toBe(401);
      const breaches = await api.auditLogs(admin, { event_type: "security.breach.attempt" });
      expect(breaches.find((b) => b.metadata?.failure === failure)).toMatchObject({ severity: "critical", success: false, ip_address: "127.0.0.1" });
    }
  });

  it("a malformed token or header gives 401 and auth.token.invalid", async () => {
    for (const header of ["Bearer not-a-jwt", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "Bearer"]) {
      const response = await api.get("/auth/me", { headers: { authorization: header } });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe("unauthorized");
    }
    const invalid = await api.auditLogs(admin, { event_type: "auth.token.invalid" });
    expect(invalid.filter((e) => e.metadata?.failure === "malformed").length).toBeGreaterThanOrEqual(2);
  });

  it("no credentials gives 401 with WWW-Authenticate", async () => {
    const response = await api.get("/auth/me");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="memoric"');
  });
});

describe("POST /auth/change-password", () => {
  it("refuses a wrong old password with 400, a weak new one with 422, and changes it otherwise", async () => {
    const { token, user, password } = await api.createUser("pw_user");
    const wrong = await api.post("/auth/change-password", { old_password: "Nope-1234", new_password: "Newer-Passw0rd" }, { token });
    expect(wrong.status).toBe(400);
    expect(await latest({ event_type: "user.password.changed", user_id: user.id })).toMatchObject({ success: false, severity: "warning" });
    const weak = await api.post("/auth/change-password", { old_password: password, new_password: "weak" }, { token });
    expect(weak.status).toBe(422);
    expect(weak.body.error.details[0].field).toBe("new_password");
    const ok = await api.post("/auth/change-password", { old_password: password, new_password: "Newer-Passw0rd" }, { token });
    expect(ok.status).toBe(200);
    expect(await latest({ event_type: "user.password.changed", user_id: user.id })).toMatchObject({ success: true, severity: "info" });
    expect((await api.post("/auth/login", { username: "pw_user", password })).status).toBe(401);
    expect((await api.post("/auth/login", { username: "pw_user", password: "Newer-Passw0rd" })).status).toBe(200);
  });
});

describe("admin user routes", () => {
  it("GET /auth/users lists with total, q and paging; non-admins get 403", async () => {
    await api.createUser("list_a");
    await api.createUser("list_b");
    const all = await api.get("/auth/users?limit=500", { token: admin });
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(all.body.users.length);
    expect(all.body.users.every((u: any) => !("password_hash" in u))).toBe(true);
    const filtered = await api.get("/auth/users?q=list_&limit=1", { token: admin });
    expect(filtered.body).toMatchObject({ total: 2, users: [{ username: "list_a" }] });
    const { token } = await api.createUser("not_admin");
    const denied = await api.get("/auth/users", { token });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe("Admin access required");
    expect(await latest({ event_type: "authz.access.denied", username: "not_admin" })).toMatchObject({ request_path: "/auth/users", status_code: 403 });
  });

  it("GET /auth/users/{username}: self, admin (audited as granted), others 403, unknown 404", async () => {
    const { token, user } = await api.createUser("viewer");
    await api.createUser("viewed");
    expect((await api.get("/auth/users/viewer", { token })).status).toBe(200);
    expect((await api.get("/auth/users/viewed", { token })).status).toBe(403);
    const byAdmin = await api.get("/auth/users/viewer", { token: admin });
    expect(byAdmin.body.id).toBe(user.id);
    expect(await latest({ event_type: "authz.access.granted", resource_id: user.id })).toMatchObject({ username: TEST_ADMIN.username, resource_type: "user" });
    expect((await api.get("/auth/users/ghost_user", { token: admin })).status).toBe(404);
  });

  it("PATCH /auth/users/{username} changes roles (user.updated, authz.permission.checked) and activation", async () => {
    const { token, user, password } = await api.createUser("managed");
    const roles = await api.patch("/auth/users/managed", { roles: ["readonly"], full_name: "Managed One" }, { token: admin });
    expect(roles.status).toBe(200);
    expect(roles.body).toMatchObject({ roles: ["readonly"], full_name: "Managed One" });
    expect(await latest({ event_type: "user.updated", resource_id: user.id })).toMatchObject({
      before_state: { roles: ["user"], full_name: null },
      after_state: { roles: ["readonly"], full_name: "Managed One" },
      username: TEST_ADMIN.username,
    });
    expect(await latest({ event_type: "authz.permission.checked", resource_id: user.id })).toMatchObject({ severity: "debug" });

    const off = await api.patch("/auth/users/managed", { is_active: false }, { token: admin });
    expect(off.body.is_active).toBe(false);
    expect(await latest({ event_type: "user.deactivated", resource_id: user.id })).toMatchObject({ severity: "warning" });
    expect((await api.get("/auth/me", { token })).status).toBe(401);
    expect(await latest({ event_type: "auth.token.invalid", user_id: user.id })).toMatchObject({
      error_message: "Token of a deleted or inactive user",
      status_code: 401,
      request_path: "/auth/me",
    });
    const login = await api.post("/auth/login", { username: "managed", password });
    expect(login.status).toBe(401);
    expect(await latest({ event_type: "auth.login.failed", username: "managed" })).toMatchObject({ error_message: "Inactive user" });

    await api.patch("/auth/users/managed", { is_active: true }, { token: admin });
    expect(await latest({ event_type: "user.activated", resource_id: user.id })).toMatchObject({ severity: "info" });
    expect((await api.post("/auth/login", { username: "managed", password })).status).toBe(200);

    expect((await api.patch("/auth/users/managed", {}, { token: admin })).status).toBe(422);
    expect((await api.patch("/auth/users/managed", { roles: ["root"] }, { token: admin })).status).toBe(422);
    expect((await api.patch("/auth/users/nobody_x", { is_active: true }, { token: admin })).status).toBe(404);
    expect((await api.patch(`/auth/users/${TEST_ADMIN.username}`, { is_active: false }, { token: admin })).status).toBe(409);
  });

  it("POST /auth/users/{username}/reset-password and DELETE /auth/users/{username}", async () => {
    const { user } = await api.createUser("doomed");
    const reset = await api.post("/auth/users/doomed/reset-password", { new_password: "Reset-Passw0rd" }, { token: admin });
    expect(reset.status).toBe(200);
    expect(await latest({ event_type: "user.password.reset", resource_id: user.id })).toMatchObject({ severity: "warning" });
    const kept = await api.login("doomed", "Reset-Passw0rd");
    const loggedOut = await api.login("doomed", "Reset-Passw0rd");
    expect((await api.post("/auth/logout", undefined, { token: loggedOut })).status).toBe(200);

    const removed = await api.delete("/auth/users/doomed", { token: admin });
    expect(removed.status).toBe(204);
    expect(removed.text).toBe("");
    expect(await latest({ event_type: "user.deleted", resource_id: user.id })).toMatchObject({ severity: "warning", before_state: { username: "doomed" } });
    // The tokens of a deleted user: a valid one names the user gone, a revoked one stays revoked.
    expect((await api.get("/auth/me", { token: kept })).status).toBe(401);
    expect(await latest({ event_type: "auth.token.invalid", user_id: user.id })).toMatchObject({ error_message: "Token of a deleted or inactive user" });
    expect((await api.get("/auth/me", { token: loggedOut })).status).toBe(401);
    expect(await latest({ event_type: "auth.token.invalid" })).toMatchObject({ metadata: { failure: "revoked" }, request_path: "/auth/me" });
    expect((await api.post("/auth/login", { username: "doomed", password: "Reset-Passw0rd" })).status).toBe(401);
    expect((await api.delete("/auth/users/doomed", { token: admin })).status).toBe(404);
    expect((await api.delete(`/auth/users/${TEST_ADMIN.username}`, { token: admin })).status).toBe(409);
  });

  it("wrong methods get a JSON 405 with Allow", async () => {
    const response = await api.request("PUT", "/auth/login", { body: {} });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect(response.body.error.code).toBe("method_not_allowed");
  });
});

describe("web sign-in through Auth.js", () => {
  async function signIn(username: string, password: string) {
    const csrf = await fetch(`${server.baseUrl}/api/auth/csrf`);
    const cookie = (csrf.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const response = await fetch(`${server.baseUrl}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie, "user-agent": "browser-test" },
      body: new URLSearchParams({ csrfToken, username, password, json: "true" }),
    });
    const cookies = [cookie, ...(response.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0])].join("; ");
    return { response, cookies, csrfToken };
  }

  it("signs in with the same account, is accepted by the API, and signs out — each audited like the API", async () => {
    const { user, password } = await api.createUser("web_user");
    const { cookies, csrfToken } = await signIn("web_user", password);
    expect(cookies).toContain("next-auth.session-token=");
    const me = await api.get("/auth/me", { headers: { cookie: cookies } });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(user.id);
    expect(await latest({ event_type: "auth.login.success", user_id: user.id })).toMatchObject({ metadata: { method: "session" }, user_agent: "browser-test", ip_address: "127.0.0.1" });

    await fetch(`${server.baseUrl}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies },
      body: new URLSearchParams({ csrfToken, json: "true" }),
    });
    expect(await latest({ event_type: "auth.logout", user_id: user.id })).toMatchObject({ metadata: { method: "session" } });

    const failed = await signIn("web_user", "Wrong-Passw0rd");
    expect(failed.cookies).not.toContain("next-auth.session-token=");
    expect(await latest({ event_type: "auth.login.failed", username: "web_user" })).toMatchObject({ metadata: { method: "session" }, error_message: "Wrong password" });
  });
});
