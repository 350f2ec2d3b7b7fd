// A user's pages in a real browser: registration, memories (create, filter, search, edit, delete),
// clusters, a password change, sign-out and sign-in again; then the audit log, read through the
// API as an admin, holds that life cycle in order, each event with the page it came from.
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { Api } from "../tests/support/api";
import { startTestServer, type TestServer } from "../tests/support/server";

let server: TestServer;
let api: Api;
let oscar: { password: string };
let oscarMemoryId: number;

const NORA = { username: "nora", email: "nora@example.com", password: "Nora-Passw0rd", newPassword: "Nora-N3w-Passw0rd" };
const TRAIN = "Booked the train to Lisbon for the conference in May.";
const PLANNING = "Quarterly planning: hire two engineers and ship the audit explorer.";
const PLANNING_EDITED = "Quarterly planning: hire two engineers, ship the audit explorer and the user pages.";

test.beforeAll(async () => {
  server = await startTestServer({ MEMORIC_RATE_LIMIT_PER_MINUTE: "0" });
  api = new Api(server.baseUrl);
  const created = await api.createUser("oscar");
  oscar = created;
  const memory = await api.post("/memories", { content: "Oscar's private note." }, { token: created.token });
  expect(memory.status).toBe(201);
  oscarMemoryId = memory.body.id;
});

test.afterAll(async () => {
  await server?.dispose();
});

const url = (path: string) => `${server.baseUrl}${path}`;
const shot = (page: Page, testInfo: TestInfo, name: string) => page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
const rowIds = (page: Page) => page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-memory-id")));

async function signIn(page: Page, username: string, password: string) {
  await page.getByLabel("Username or e-mail").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function applyFilters(page: Page, filters: { q?: string; thread?: string; tier?: string }) {
  if (filters.q !== undefined) await page.getByLabel("Search text").fill(filters.q);
  if (filters.thread !== undefined) await page.getByLabel("Thread").fill(filters.thread);
  if (filters.tier !== undefined) await page.getByLabel("Tier").selectOption(filters.tier);
  await page.getByRole("button", { name: "Apply filters" }).click();
}

/** Fills the memory form (create or edit). */
async function fillMemory(page: Page, fields: { content?: string; thread?: string; namespace?: string; tier?: string; score?: string; metadata?: string }) {
  if (fields.content !== undefined) await page.getByRole("textbox", { name: "Content" }).fill(fields.content);
  if (fields.thread !== undefined) await page.getByLabel("Thread").fill(fields.thread);
  if (fields.namespace !== undefined) await page.getByLabel("Namespace").fill(fields.namespace);
  if (fields.tier !== undefined) await page.getByLabel("Tier").selectOption(fields.tier);
  if (fields.score !== undefined) await page.getByLabel("Importance score").fill(fields.score);
  if (fields.metadata !== undefined) await page.getByLabel("Metadata").fill(fields.metadata);
}

const idInUrl = (page: Page) => Number(/\/dashboard\/memories\/(\d+)/.exec(page.url())?.[1]);

test("a new user registers, keeps memories and clusters, changes password, and the audit log holds it in order", async ({ page }, testInfo) => {
  let trainId = 0;
  let planningId = 0;

  await test.step("register, after a field error and a taken username", async () => {
    await page.goto(url("/login"));
    await page.getByRole("link", { name: "Create an account" }).click();
    await expect(page.getByRole("heading", { name: "Create your Memoric account" })).toBeVisible();
    await shot(page, testInfo, "register");

    await page.getByLabel("Username").fill(NORA.username);
    await page.getByLabel("E-mail").fill("nora-at-example");
    await page.getByLabel("Password").fill("short");
    await page.getByLabel("Full name").fill("Nora Example");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.locator("#email-error")).toHaveText("E-mail must be an e-mail address.");
    await expect(page.locator("#password-error")).toContainText("Password must be at least 8 characters");
    await expect(page.getByLabel("E-mail")).toHaveAttribute("aria-invalid", "true");
    await expect(page.locator("#username-error")).toHaveCount(0);
    // What was typed stays, except the password.
    await expect(page.getByLabel("Username")).toHaveValue(NORA.username);
    await expect(page.getByLabel("Password")).toHaveValue("");
    await shot(page, testInfo, "register-errors");

    await page.getByLabel("Username").fill("oscar");
    await page.getByLabel("E-mail").fill(NORA.email);
    await page.getByLabel("Password").fill(NORA.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.locator("#register-message")).toContainText("already registered");
    await expect(page.locator("#email-error")).toHaveCount(0);

    await page.getByLabel("Username").fill(NORA.username);
    await page.getByLabel("Password").fill(NORA.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL(url("/dashboard/memories"));
    await expect(page.getByTestId("signed-in-as")).toHaveText(NORA.username);
    await expect(page.getByText("No memories yet")).toBeVisible();
    await shot(page, testInfo, "memories-empty");
  });

  await test.step("create two memories in different threads and tiers", async () => {
    await page.getByRole("link", { name: "create one" }).click();
    await expect(page.getByRole("heading", { name: "New memory" })).toBeVisible();
    await fillMemory(page, { content: TRAIN, thread: "travel-2026", namespace: "personal", tier: "long_term", score: "150", metadata: "{topic: travel}" });
    await page.getByRole("button", { name: "Create memory" }).click();
    await expect(page.locator("#score-error")).toHaveText("Importance score must be at most 100.");
    await expect(page.locator("#metadata-error")).toContainText("Metadata must be valid JSON");
    await expect(page.getByRole("textbox", { name: "Content" })).toHaveValue(TRAIN);
    await expect(page.getByLabel("Tier")).toHaveValue("long_term");
    await shot(page, testInfo, "memory-new-errors");

    await fillMemory(page, { score: "80", metadata: '{"topic": "travel"}' });
    await page.getByRole("button", { name: "Create memory" }).click();
    await expect(page).toHaveURL(/\/dashboard\/memories\/\d+\?notice=created$/);
    trainId = idInUrl(page);
    await expect(page.getByText("Memory created.")).toBeVisible();
    await expect(page.getByTestId("memory-content")).toHaveText(TRAIN);
    await shot(page, testInfo, "memory-view");

    await page.goto(url("/dashboard/memories"));
    await page.getByRole("link", { name: "New memory" }).click();
    await fillMemory(page, { content: PLANNING, thread: "work", namespace: "work", score: "40", metadata: '{"topic": "Planning", "category": "work"}' });
    await page.getByRole("button", { name: "Create memory" }).click();
    await expect(page).toHaveURL(/\/dashboard\/memories\/\d+\?notice=created$/);
    planningId = idInUrl(page);
    expect(planningId).toBeGreaterThan(trainId);
  });

  await test.step("filters change the rows and the URL, and a copied URL reproduces the view", async () => {
    await page.goto(url("/dashboard/memories"));
    await expect.poll(() => rowIds(page)).toEqual([String(planningId), String(trainId)]);
    await shot(page, testInfo, "memories-list");

    await applyFilters(page, { thread: "work" });
    await expect(page).toHaveURL(url("/dashboard/memories?thread_id=work&top_k=20"));
    await expect.poll(() => rowIds(page)).toEqual([String(planningId)]);

    await applyFilters(page, { thread: "", tier: "long_term" });
    await expect(page).toHaveURL(url("/dashboard/memories?tier=long_term&top_k=20"));
    await expect.poll(() => rowIds(page)).toEqual([String(trainId)]);
    await shot(page, testInfo, "memories-filtered");

    const copied = page.url();
    const other = await page.context().newPage();
    await other.goto(copied);
    await expect.poll(() => rowIds(other)).toEqual([String(trainId)]);
    await expect(other.getByLabel("Tier")).toHaveValue("long_term");
    await other.close();

    await page.goto(url("/dashboard/memories?thread_id=nowhere"));
    await expect(page.getByText("No memories match these filters.")).toBeVisible();
    await shot(page, testInfo, "memories-no-matches");
    await page.getByRole("link", { name: "Clear the filters" }).click();
    await expect(page).toHaveURL(url("/dashboard/memories"));
    await expect.poll(() => rowIds(page)).toHaveLength(2);
    await expect(page.getByLabel("Thread")).toHaveValue("");

    await page.goto(url("/dashboard/memories?top_k=500"));
    await expect(page.locator("#top_k-error")).toHaveText("Show must be at most 100.");
    await expect(page.getByText("Some filters are not valid")).toBeVisible();
  });

  await test.step("full-text search finds one memory", async () => {
    await page.goto(url("/dashboard/memories"));
    await applyFilters(page, { q: "Lisbon conference" });
    await expect(page).toHaveURL(url("/dashboard/memories?q=Lisbon+conference&top_k=20"));
    await expect.poll(() => rowIds(page)).toEqual([String(trainId)]);
    await expect(page.getByTestId("result-summary")).toHaveText("1 memory matches “Lisbon conference”, most relevant first.");
    await shot(page, testInfo, "memories-search");
  });

  await test.step("the list works at 390 px wide", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(url("/dashboard/memories"));
    await expect.poll(() => rowIds(page)).toHaveLength(2);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, testInfo, "memories-390");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await test.step("edit a memory", async () => {
    await page.getByRole("link", { name: /^Quarterly planning/ }).click();
    await expect(page).toHaveURL(url(`/dashboard/memories/${planningId}`));
    await fillMemory(page, { content: PLANNING_EDITED, tier: "mid_term" });
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page).toHaveURL(url(`/dashboard/memories/${planningId}?notice=updated`));
    await expect(page.getByText("Changes saved.")).toBeVisible();
    await expect(page.getByTestId("memory-content")).toHaveText(PLANNING_EDITED);
    await expect(page.getByLabel("Tier")).toHaveValue("mid_term");
    await shot(page, testInfo, "memory-edited");

    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.locator("#memory-form-message")).toHaveText("Nothing to save: no field was changed.");
  });

  await test.step("delete a memory: cancel first, then confirm with the keyboard", async () => {
    await page.goto(url(`/dashboard/memories/${trainId}`));
    await page.getByRole("button", { name: "Delete…" }).click();
    await expect(page).toHaveURL(url(`/dashboard/memories/${trainId}?confirm=delete`));
    const confirm = page.getByRole("button", { name: "Delete permanently" });
    await expect(confirm).toBeVisible();
    await expect(page.getByRole("link", { name: "Cancel" })).toBeFocused();
    await shot(page, testInfo, "memory-delete-confirm");

    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(url(`/dashboard/memories/${trainId}`));
    await expect(confirm).toBeHidden();
    await expect(page.getByTestId("memory-content")).toHaveText(TRAIN);

    await page.getByRole("button", { name: "Delete…" }).focus();
    await page.keyboard.press("Enter");
    await confirm.focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(url(`/dashboard/memories?deleted=${trainId}`));
    await expect(page.getByText(`Memory #${trainId} was deleted.`)).toBeVisible();
    await expect.poll(() => rowIds(page)).toEqual([String(planningId)]);
  });

  await test.step("a deleted memory and someone else's are not found", async () => {
    await page.goto(url(`/dashboard/memories/${trainId}`));
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await shot(page, testInfo, "memory-not-found");
    await page.goto(url(`/dashboard/memories/${oscarMemoryId}`));
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(page.getByText("Oscar's private note.")).toHaveCount(0);
    await page.getByRole("link", { name: "Back to your memories" }).click();
    await expect(page).toHaveURL(url("/dashboard/memories"));
  });

  await test.step("rebuild clusters", async () => {
    await page.getByRole("link", { name: "Clusters" }).click();
    await expect(page.getByRole("heading", { name: "Your clusters" })).toBeVisible();
    await expect(page.getByText("No clusters yet.")).toBeVisible();
    await shot(page, testInfo, "clusters-empty");
    await page.getByRole("button", { name: "Rebuild clusters" }).click();
    await expect(page.getByTestId("rebuild-result")).toHaveText("Rebuilt: 1 created, 0 updated, 0 deleted; 1 cluster in all.");
    const rows = page.locator("tbody tr");
    await expect(rows).toHaveCount(1);
    await expect(rows.locator('[data-label="Topic"]')).toHaveText("planning");
    await expect(rows.locator('[data-label="Category"]')).toHaveText("work");
    await expect(rows.getByTestId("member-count")).toHaveText("1");
    await expect(rows.getByRole("link", { name: `#${planningId}` })).toBeVisible();
    await shot(page, testInfo, "clusters");
  });

  await test.step("change password, sign out, and sign in with the new one", async () => {
    await page.getByRole("link", { name: "Account" }).click();
    await expect(page.getByTestId("username")).toHaveText(NORA.username);
    await expect(page.getByTestId("email")).toHaveText(NORA.email);
    await expect(page.getByTestId("roles")).toHaveText("user");
    await shot(page, testInfo, "account");

    const current = page.getByLabel("Current password", { exact: true });
    const next = page.getByLabel("New password", { exact: true });
    const again = page.getByLabel("Confirm new password", { exact: true });
    const submit = page.getByRole("button", { name: "Change password" });
    await current.fill(NORA.password);
    await next.fill("weak");
    await again.fill("weaker");
    await submit.click();
    await expect(page.locator("#new_password-error")).toContainText("New password must be at least 8 characters");
    await expect(page.locator("#confirm_password-error")).toHaveText("Confirm new password does not match the new password.");
    await shot(page, testInfo, "account-errors");

    await current.fill("Not-her-passw0rd");
    await next.fill(NORA.newPassword);
    await again.fill(NORA.newPassword);
    await submit.click();
    await expect(page.locator("#current_password-error")).toHaveText("Current password is incorrect.");

    await current.fill(NORA.password);
    await next.fill(NORA.newPassword);
    await again.fill(NORA.newPassword);
    await submit.click();
    await expect(page.getByText("Password changed.")).toBeVisible();
    await expect(current).toHaveValue("");

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/);
    await signIn(page, NORA.username, NORA.password);
    await expect(page.locator("#login-error")).toHaveText("Invalid username or password.");
    await signIn(page, NORA.username, NORA.newPassword);
    await expect(page).toHaveURL(url("/"));
  });

  await test.step("the user is turned away from the admin pages", async () => {
    await page.goto(url("/admin/audit"));
    await expect(page.getByRole("heading", { name: "403 — Forbidden" })).toBeVisible();
  });

  await test.step("the audit log holds the life cycle in order, each event with its page", async () => {
    const admin = await api.adminToken();
    const account = await api.get(`/auth/users/${NORA.username}`, { token: admin });
    const userId: string = account.body.id;
    const post = (path: string) => ({ request_method: "POST", request_path: path });
    const lifecycle = [
      { event_type: "user.created", resource_id: userId, success: true, ...post("/register"), metadata: { source: "register" } },
      { event_type: "auth.login.success", success: true, ...post("/api/auth/callback/credentials") },
      { event_type: "memory.created", resource_id: String(trainId), success: true, namespace: "personal", ...post("/dashboard/memories/new") },
      { event_type: "memory.created", resource_id: String(planningId), success: true, namespace: "work", ...post("/dashboard/memories/new") },
      { event_type: "memory.updated", resource_id: String(planningId), success: true, metadata: { fields: ["content", "tier"] }, ...post(`/dashboard/memories/${planningId}`) },
      { event_type: "memory.deleted", resource_id: String(trainId), success: true, ...post(`/dashboard/memories/${trainId}`) },
      {
        event_type: "authz.access.denied",
        resource_type: "memory",
        resource_id: String(oscarMemoryId),
        success: false,
        status_code: 403,
        request_method: "GET",
        request_path: `/dashboard/memories/${oscarMemoryId}`,
      },
      { event_type: "cluster.created", resource_type: "cluster", action: "rebuild", success: true, metadata: { topic: "planning", category: "work" }, ...post("/dashboard/clusters") },
      { event_type: "user.password.changed", resource_id: userId, success: false, status_code: 400, ...post("/dashboard/account") },
      { event_type: "user.password.changed", resource_id: userId, success: true, ...post("/dashboard/account") },
      { event_type: "auth.logout", success: true, ...post("/api/auth/signout") },
      { event_type: "auth.login.failed", success: false, ...post("/api/auth/callback/credentials") },
      { event_type: "auth.login.success", success: true, ...post("/api/auth/callback/credentials") },
      { event_type: "authz.access.denied", resource_type: "admin_page", resource_id: "/admin/audit", success: false, status_code: 403 },
    ];
    const types = new Set(lifecycle.map((e) => e.event_type));
    const logs = (await api.auditLogs(admin, { user_id: userId, order: "asc" })).filter((log) => types.has(log.event_type));
    expect(logs.map((log) => log.event_type)).toEqual(lifecycle.map((e) => e.event_type));
    lifecycle.forEach((expected, i) => expect(logs[i], `event ${i + 1}: ${expected.event_type}`).toMatchObject(expected));
    // The page views were recorded as reads, with the filters of the list.
    const reads = await api.auditLogs(admin, { user_id: userId, event_type: "memory.searched" });
    expect(reads[0]).toMatchObject({ request_method: "GET", request_path: "/dashboard/memories", metadata: { query: "Lisbon conference", result_count: 1 } });
  });
});

test("a visitor is sent to sign in and back to the filtered list", async ({ page }, testInfo) => {
  await page.goto(url("/dashboard/memories?tier=long_term"));
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fdashboard%2Fmemories%3Ftier%3Dlong_term$/);
  await signIn(page, "oscar", oscar.password);
  await expect(page).toHaveURL(url("/dashboard/memories?tier=long_term"));
  await expect(page.getByLabel("Tier")).toHaveValue("long_term");
  await expect(page.getByText("No memories match these filters.")).toBeVisible();
  await page.getByRole("link", { name: "Clear the filters" }).click();
  await expect(page.getByRole("link", { name: "Oscar's private note." })).toBeVisible();
  await shot(page, testInfo, "memories-other-user");
});
