// The admin log explorer in a real browser: sign-in, filters in the URL, a copied link, and a
// user turned away (and recorded).
import { expect, test, type Page } from "@playwright/test";
import { Api } from "../tests/support/api";
import { TEST_ADMIN, startTestServer, type TestServer } from "../tests/support/server";

let server: TestServer;
let api: Api;

test.beforeAll(async () => {
  server = await startTestServer({ MEMORIC_RATE_LIMIT_PER_MINUTE: "0" });
  api = new Api(server.baseUrl);
  await api.createUser("eve");
  for (const password of ["Wrong-1-pass", "Wrong-2-pass"]) await api.post("/auth/login", { username: "eve", password });
});

test.afterAll(async () => {
  await server?.dispose();
});

async function signIn(page: Page, username: string, password: string, path: string) {
  await page.goto(`${server.baseUrl}${path}`);
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
  await page.getByLabel("Username or e-mail").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

const eventTypesOfRows = (page: Page) => page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-event-type")));

test("an admin signs in, filters by event type, and a copied link reproduces the view", async ({ page }, testInfo) => {
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/audit");
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await expect(page.locator("tbody tr").first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("explorer.png"), fullPage: true });

  await page.getByLabel("Event types").selectOption(["auth.login.failed"]);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/event_type=auth\.login\.failed/);
  const types = await eventTypesOfRows(page);
  expect(types.length).toBe(2);
  expect(new Set(types)).toEqual(new Set(["auth.login.failed"]));
  const admin = await api.adminToken();
  const viaApi = await api.get("/audit/logs?event_type=auth.login.failed", { token: admin });
  await expect(page.getByTestId("total")).toHaveText(String(viaApi.body.total));
  await page.screenshot({ path: testInfo.outputPath("explorer-filtered.png"), fullPage: true });

  const link = page.url();
  const other = await page.context().newPage();
  await other.goto(link);
  expect(await eventTypesOfRows(other)).toEqual(types);
  await expect(other.getByLabel("Event types")).toHaveValues(["auth.login.failed"]);
  await other.close();
});

test("an invalid filter in the URL shows a message next to the field", async ({ page }) => {
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/audit?hours=9999");
  await expect(page.getByText("Some filters are not valid")).toBeVisible();
  await expect(page.getByText("hours must be at most 720")).toBeVisible();
});

test("a user cannot open the admin pages, and the attempt is recorded", async ({ page }, testInfo) => {
  await signIn(page, "eve", "Passw0rd-eve", "/admin/audit");
  await expect(page.getByRole("heading", { name: "403 — Forbidden" })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("forbidden.png") });
  const admin = await api.adminToken();
  const [denied] = await api.auditLogs(admin, { event_type: "authz.access.denied", username: "eve" });
  expect(denied).toMatchObject({ resource_type: "admin_page", resource_id: "/admin/audit", status_code: 403 });
});

test("a wrong password is refused on the sign-in page", async ({ page }) => {
  await page.goto(`${server.baseUrl}/login`);
  await page.getByLabel("Username or e-mail").fill("eve");
  await page.getByLabel("Password").fill("not-her-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#login-error")).toHaveText("Invalid username or password.");
  await expect(page).toHaveURL(/\/login/);
});

test("a row opens the full event with its changes, request and integrity proof", async ({ page }, testInfo) => {
  const admin = await api.adminToken();
  await api.patch("/auth/users/eve", { full_name: "Eve Example" }, { token: admin });
  await api.post("/audit/checkpoints", undefined, { token: admin });
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/audit?event_type=user.updated");
  await page.getByRole("link", { name: "user.updated" }).first().click();
  await expect(page.getByRole("heading", { name: /user\.updated/ })).toBeVisible();
  const changed = page.locator("tr.changed", { hasText: "full_name" });
  await expect(changed).toContainText("Eve Example");
  await expect(page.getByText("matches the content")).toBeVisible();
  await expect(page.getByTestId("sealed")).toHaveText("sealed");
  await page.screenshot({ path: testInfo.outputPath("event-detail.png"), fullPage: true });
});

test("the security page calls out brute force, and a user's timeline shows their failed logins", async ({ page }, testInfo) => {
  for (let i = 0; i < 5; i++) await api.post("/auth/login", { username: "mallory_target", password: `Guess-${i}-x` });
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/audit/security");
  await expect(page.getByRole("heading", { name: "Security events" })).toBeVisible();
  await expect(page.getByRole("region", { name: /Detections/ })).toContainText("security.suspicious.activity");
  await page.screenshot({ path: testInfo.outputPath("security.png"), fullPage: true });

  await page.goto(`${server.baseUrl}/admin/audit?username=eve&hours=720`);
  await page.getByRole("link", { name: "eve", exact: true }).first().click();
  await expect(page.getByRole("heading", { name: "Timeline of eve" })).toBeVisible();
  const failed = await api.auditLogs(await api.adminToken(), { event_type: "auth.login.failed", username: "eve" });
  expect(failed.length).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId("failed-logins")).toHaveText(String(failed.length));
  await page.screenshot({ path: testInfo.outputPath("timeline.png"), fullPage: true });
});

test("the integrity page verifies on demand and keeps the history", async ({ page }, testInfo) => {
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/integrity");
  await page.getByRole("button", { name: "Verify now" }).click();
  await expect(page.getByTestId("latest-result")).toContainText("Intact:");
  await expect(page.locator("tbody tr").first()).toContainText("intact");
  await page.screenshot({ path: testInfo.outputPath("integrity.png"), fullPage: true });
});

test("the statistics page shows the same numbers as GET /audit/statistics for the same range", async ({ page }, testInfo) => {
  const admin = await api.adminToken();
  const start = new Date(Date.now() - 3_600_000).toISOString();
  const end = new Date(Date.now() - 1000).toISOString();
  const range = `start_time=${start}&end_time=${end}`;
  const stats = (await api.get(`/audit/statistics?${range}`, { token: admin })).body;
  expect(stats.total_events).toBeGreaterThan(5);
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, `/admin/audit/statistics?${range}`);
  await expect(page.getByTestId("total-events")).toHaveText(String(stats.total_events));
  await expect(page.getByTestId("failed-operations")).toHaveText(String(stats.failed_operations));
  await expect(page.getByTestId("unique-users")).toHaveText(String(stats.unique_users));
  await expect(page.locator("figure svg.recharts-surface").first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("statistics.png"), fullPage: true });
});
