// The admin users pages in a real browser: search in the URL, roles, activation and a password
// reset through the manage panel (checked through the API), the refusals, and the audit rows the
// changes leave, with no password in any of them.
import { expect, test, type Page } from "@playwright/test";
import { Api } from "../tests/support/api";
import { signInAt } from "./sign-in";
import { TEST_ADMIN, startTestServer, type TestServer } from "../tests/support/server";

// Later tests read what earlier ones changed (roles, activation, password) and its audit trail.
test.describe.configure({ mode: "serial" });

let server: TestServer;
let api: Api;

const NEW_PASSWORD = "Fresh-Secr3t-4-dorian";

test.beforeAll(async () => {
  server = await startTestServer({ MEMORIC_RATE_LIMIT_PER_MINUTE: "0" });
  api = new Api(server.baseUrl);
  for (const username of ["dora_ops", "dorian", "frank"]) await api.createUser(username);
});

test.afterAll(async () => {
  await server?.dispose();
});

const signIn = (page: Page, username: string, password: string, path: string) => signInAt(page, server.baseUrl, username, password, path);

/** Waits until the table shows exactly these users, in this order (the skeleton shows first). */
const expectRows = (page: Page, usernames: string[]) =>
  expect.poll(() => page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-username")))).toEqual(usernames);
const loginStatus = async (username: string, password: string) => (await api.post("/auth/login", { username, password })).status;

test("an admin searches users; the search and the page are in the URL", async ({ page }, testInfo) => {
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/users");
  await expect(page.getByRole("heading", { name: "Users", exact: true })).toBeVisible();
  await expectRows(page, ["admin", "dora_ops", "dorian", "frank"]);
  const dorian = page.locator('tr[data-username="dorian"]');
  await expect(dorian).toContainText("dorian@example.com");
  await expect(dorian).toContainText("user");
  const { id } = (await api.get("/auth/users/dorian", { token: await api.adminToken() })).body;
  await expect(dorian.getByRole("link", { name: "dorian", exact: true })).toHaveAttribute("href", `/admin/audit/users/${id}`);
  await page.screenshot({ path: testInfo.outputPath("users-list.png"), fullPage: true });

  await page.getByLabel("Search users").fill("dor");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/[?&]q=dor(&|$)/);
  await expect(page.getByTestId("total")).toHaveText("2");
  await expectRows(page, ["dora_ops", "dorian"]);
  await expect(page.getByLabel("Search users")).toHaveValue("dor");
  await page.screenshot({ path: testInfo.outputPath("users-search.png"), fullPage: true });

  await page.getByLabel("Search users").fill("nobody-like-this");
  await page.getByLabel("Search users").press("Enter");
  await expect(page).toHaveURL(/q=nobody-like-this/);
  await expect(page.getByTestId("empty")).toContainText("No users match “nobody-like-this”");
  await page.screenshot({ path: testInfo.outputPath("users-empty.png"), fullPage: true });
  await page.getByRole("link", { name: "Clear the search" }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await expect(page.locator("tbody tr")).toHaveCount(4);

  await page.goto(`${server.baseUrl}/admin/users?limit=3`);
  await expectRows(page, ["admin", "dora_ops", "dorian"]);
  await page.getByRole("link", { name: "Next →" }).click();
  await expect(page).toHaveURL(/limit=3&offset=3/);
  await expectRows(page, ["frank"]);
  await expect(page.getByText("showing 4–4")).toBeVisible();
});

test("an admin changes roles, deactivates and reactivates a user, and resets the password", async ({ page }, testInfo) => {
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/users?q=dorian");
  await page.getByRole("link", { name: "Manage dorian" }).click();
  await expect(page).toHaveURL(/\/admin\/users\/dorian$/);
  await expect(page.getByRole("heading", { name: "Manage dorian" })).toBeVisible();
  await expect(page.getByTestId("roles")).toHaveText("user");
  await page.screenshot({ path: testInfo.outputPath("manage-panel.png"), fullPage: true });

  // Roles, with the keyboard: Space ticks a focused checkbox.
  await page.getByRole("checkbox", { name: "readonly" }).focus();
  await page.keyboard.press("Space");
  await page.getByRole("checkbox", { name: "admin" }).check();
  await page.getByRole("button", { name: "Save roles" }).click();
  await expect(page.getByRole("status")).toHaveText("Roles of dorian changed to admin, user, readonly.");
  await expect(page).toHaveURL(/notice=roles/);
  await expect(page.getByTestId("roles")).toHaveText("admin, user, readonly");
  const viaApi = await api.get("/auth/users/dorian", { token: await api.adminToken() });
  expect(viaApi.body.roles).toEqual(["admin", "user", "readonly"]);
  await page.screenshot({ path: testInfo.outputPath("roles-changed.png"), fullPage: true });

  await page.getByRole("button", { name: "Deactivate account" }).click();
  await expect(page.getByRole("status")).toHaveText("dorian was deactivated and can no longer sign in.");
  await expect(page.getByTestId("active")).toHaveText("no");
  expect(await loginStatus("dorian", "Passw0rd-dorian")).toBe(401);
  await page.screenshot({ path: testInfo.outputPath("deactivated.png"), fullPage: true });

  await page.getByRole("button", { name: "Activate account" }).click();
  await expect(page.getByRole("status")).toHaveText("dorian was activated and can sign in again.");
  await expect(page.getByTestId("active")).toHaveText("yes");
  expect(await loginStatus("dorian", "Passw0rd-dorian")).toBe(200);

  const password = page.getByLabel("New password");
  await password.fill("short");
  await page.getByRole("button", { name: "Reset password" }).click();
  const error = page.locator("#password-error");
  await expect(error).toContainText("The new password must be at least 8 characters");
  await expect(error).toContainText("must contain an upper-case letter");
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await expect(password).toHaveAttribute("aria-describedby", /password-error/);
  expect(await loginStatus("dorian", "Passw0rd-dorian")).toBe(200);
  await page.screenshot({ path: testInfo.outputPath("password-invalid.png"), fullPage: true });

  await password.fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Reset password" }).click();
  await expect(page.getByRole("status")).toHaveText("The password of dorian was reset.");
  await expect(page.locator("#password-error")).toHaveCount(0);
  expect(await loginStatus("dorian", NEW_PASSWORD)).toBe(200);
  expect(await loginStatus("dorian", "Passw0rd-dorian")).toBe(401);
  await page.screenshot({ path: testInfo.outputPath("password-reset.png"), fullPage: true });
});

test("an admin trying to deactivate themselves or drop their admin role sees why not", async ({ page }, testInfo) => {
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/users/admin");
  await expect(page.getByRole("heading", { name: "Manage admin" })).toBeVisible();
  await page.getByRole("button", { name: "Deactivate account" }).click();
  await expect(page.locator("#status-error")).toHaveText("An admin cannot deactivate themselves or remove their own admin role");
  await expect(page.getByTestId("active")).toHaveText("yes");
  await page.screenshot({ path: testInfo.outputPath("self-deactivate-refused.png"), fullPage: true });

  await page.getByRole("checkbox", { name: "admin" }).uncheck();
  await page.getByRole("button", { name: "Save roles" }).click();
  await expect(page.locator("#roles-error")).toHaveText("An admin cannot deactivate themselves or remove their own admin role");
  await page.getByRole("checkbox", { name: "admin" }).uncheck();
  await page.getByRole("checkbox", { name: "user" }).uncheck();
  await page.getByRole("button", { name: "Save roles" }).click();
  await expect(page.locator("#roles-error")).toHaveText("roles must name at least one role");
  expect(await loginStatus(TEST_ADMIN.username, TEST_ADMIN.password)).toBe(200);
  expect((await api.get("/auth/me", { token: await api.adminToken() })).body.roles).toContain("admin");
});

test("a user who is not an admin gets the 403 page, and the attempt is recorded", async ({ page }, testInfo) => {
  await signIn(page, "frank", "Passw0rd-frank", "/admin/users");
  await expect(page.getByRole("heading", { name: "403 — Forbidden" })).toBeVisible();
  await expect(page.locator("table")).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("users-forbidden.png"), fullPage: true });
  await page.goto(`${server.baseUrl}/admin/users/dorian`);
  await expect(page.getByRole("heading", { name: "403 — Forbidden" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Reset password" })).toHaveCount(0);
  const denied = await api.auditLogs(await api.adminToken(), { event_type: "authz.access.denied", username: "frank" });
  expect(denied.map((row) => row.resource_id).sort()).toEqual(["/admin/users", "/admin/users/dorian"]);
});

test("the list and the manage panel work at 390 px", async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/users");
  await expect(page.locator("tbody tr")).toHaveCount(4);
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await page.screenshot({ path: testInfo.outputPath("users-list-390.png"), fullPage: true });
  await page.getByRole("link", { name: "Manage frank" }).click();
  await expect(page.getByRole("heading", { name: "Manage frank" })).toBeVisible();
  await page.getByRole("button", { name: "Reset password" }).scrollIntoViewIfNeeded();
  await expect(page.getByRole("button", { name: "Reset password" })).toBeInViewport();
  expect(await overflow()).toBeLessThanOrEqual(0);
  await page.screenshot({ path: testInfo.outputPath("manage-panel-390.png"), fullPage: true });
});

test("every change is audited as the admin's POST to /admin/users, and no password reaches the log", async () => {
  const admin = await api.adminToken();
  const adminId = (await api.get("/auth/me", { token: admin })).body.id;
  const dorianId = (await api.get("/auth/users/dorian", { token: admin })).body.id;
  const rows = await api.auditLogs(admin, { resource_id: dorianId });
  const only = (eventType: string) => {
    const matching = rows.filter((row) => row.event_type === eventType);
    expect(matching, eventType).toHaveLength(1);
    return matching[0];
  };
  const byAdmin = { user_id: adminId, username: TEST_ADMIN.username, request_method: "POST", request_path: "/admin/users/dorian", success: true, resource_type: "user" };

  const checked = only("authz.permission.checked");
  expect(checked).toMatchObject({ ...byAdmin, action: "change_roles" });
  expect(checked.metadata).toMatchObject({ permission: "users:manage_roles", granted: true, roles: ["admin", "user", "readonly"] });
  const updated = only("user.updated");
  expect(updated).toMatchObject(byAdmin);
  expect(updated.before_state.roles).toEqual(["user"]);
  expect(updated.after_state.roles).toEqual(["admin", "user", "readonly"]);
  expect(only("user.deactivated")).toMatchObject({ ...byAdmin, before_state: { is_active: true }, after_state: { is_active: false } });
  expect(only("user.activated")).toMatchObject({ ...byAdmin, before_state: { is_active: false }, after_state: { is_active: true } });
  expect(only("user.password.reset")).toMatchObject({ ...byAdmin, action: "reset_password" });

  // The panel views are recorded like an admin's GET /auth/users/{username}.
  const views = rows.filter((row) => row.event_type === "authz.access.granted" && row.request_path === "/admin/users/dorian");
  expect(views.length).toBeGreaterThan(0);
  for (const view of views) expect(view).toMatchObject({ user_id: adminId, request_method: "GET", action: "read", success: true });

  // The refused self-deactivation changed nothing, so it left no change event on the admin.
  const onAdmin = await api.auditLogs(admin, { resource_id: adminId, event_type: "user.deactivated,user.updated" });
  expect(onAdmin).toEqual([]);

  const everything: any[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await api.get(`/audit/logs?hours=720&limit=1000&offset=${offset}`, { token: admin });
    expect(page.status).toBe(200);
    everything.push(...page.body.logs);
    if (everything.length >= page.body.total || page.body.logs.length === 0) break;
  }
  expect(everything.length).toBeGreaterThan(20);
  const json = JSON.stringify(everything);
  expect(json).not.toContain(NEW_PASSWORD);
  expect(json).not.toContain("Passw0rd-dorian");
});

test("an admin demoted after signing in can no longer change users from an open panel", async ({ page }, testInfo) => {
  await signIn(page, "dorian", NEW_PASSWORD, "/admin/users/frank");
  await expect(page.getByRole("heading", { name: "Manage frank" })).toBeVisible();
  const admin = await api.adminToken();
  expect((await api.patch("/auth/users/dorian", { roles: ["user"] }, { token: admin })).status).toBe(200);

  await page.getByRole("button", { name: "Deactivate account" }).click();
  await expect(page.locator("#status-error")).toHaveText("Admin access required. This attempt has been recorded in the audit log.");
  expect((await api.get("/auth/users/frank", { token: admin })).body.is_active).toBe(true);
  await page.screenshot({ path: testInfo.outputPath("demoted-refused.png"), fullPage: true });
  const [denied] = await api.auditLogs(admin, { event_type: "authz.access.denied", username: "dorian" });
  expect(denied).toMatchObject({ request_method: "POST", request_path: "/admin/users/frank", resource_id: "/admin/users/frank", status_code: 403, success: false });
});
