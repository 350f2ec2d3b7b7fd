// The admin log explorer in a real browser: sign-in, filters in the URL, a copied link, and a
// user turned away (and recorded).
import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { Api } from "../tests/support/api";
import { signInAt } from "./sign-in";
import { TEST_ADMIN, startTestServer, type TestServer } from "../tests/support/server";

let server: TestServer;
let api: Api;
let eve: { token: string; user: { id: string }; password: string };
let memoryIds: number[] = [];

test.beforeAll(async () => {
  server = await startTestServer({ MEMORIC_RATE_LIMIT_PER_MINUTE: "0" });
  api = new Api(server.baseUrl);
  eve = await api.createUser("eve");
  for (const password of ["Wrong-1-pass", "Wrong-2-pass"]) await api.post("/auth/login", { username: "eve", password });
  // Older events (ingested with their own time), so the time range presets have something to leave out.
  const threeDaysAgo = Date.now() - 72 * 3_600_000;
  const backfill = [0, 1, 2].map((i) => ({ event_type: "custom.e2e.backfill", timestamp: new Date(threeDaysAgo + i * 60_000).toISOString() }));
  const ingested = await api.post("/audit/events", backfill, { token: await api.adminToken() });
  if (ingested.status !== 201) throw new Error(`ingest: ${ingested.status} ${ingested.text}`);
  memoryIds = [];
  for (let i = 0; i < 30; i++) {
    const created = await api.post("/memories", { content: `Eve's note number ${i}`, thread_id: i % 2 ? "odd" : "even" }, { token: eve.token });
    memoryIds.push(created.body.id as number);
  }
});

test.afterAll(async () => {
  await server?.dispose();
});

const signIn = (page: Page, username: string, password: string, path: string) => signInAt(page, server.baseUrl, username, password, path);

const rowAttr = (page: Page, name: string) => page.locator("tbody tr").evaluateAll((rows, attr) => rows.map((r) => r.getAttribute(attr) ?? ""), `data-${name}`);

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

test("the explorer sends the browser only the columns its table shows; the event's page shows the rest", async ({ page }) => {
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/audit?event_type=memory.created");
  await expect(page.locator("tbody tr").first()).toBeVisible();
  // The page as sent (HTML and the React payload in it), not just what is on screen.
  const html = await (await page.request.get(`${server.baseUrl}/admin/audit?event_type=memory.created&limit=100`)).text();
  expect(html).toContain("memory.created");
  for (const absent of ["note number", "after_state", "personal_digest", "user_agent"]) expect(html, absent).not.toContain(absent);
  const [id] = await rowAttr(page, "id");
  expect(id).toBeTruthy();
  await page.goto(`${server.baseUrl}/admin/audit/${id}`);
  await expect(page.getByText(/note number/).first()).toBeVisible();
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

const totalOf = async (page: Page) => Number(await page.getByTestId("total").textContent());

/** One filter each: how to set it in the form, what the URL must then say, and what every row must satisfy. */
const filterCases: {
  name: string;
  set: (page: Page) => Promise<void>;
  url: RegExp;
  rows?: (page: Page) => Promise<void>;
}[] = [
  {
    name: "event type",
    set: (page) => page.getByLabel("Event types").selectOption(["memory.created", "auth.login.failed"]).then(() => undefined),
    url: /event_type=memory\.created%2Cauth\.login\.failed|event_type=auth\.login\.failed%2Cmemory\.created|event_type=memory\.created&event_type=auth\.login\.failed|event_type=auth\.login\.failed&event_type=memory\.created/,
    rows: async (page) => expect(new Set(await rowAttr(page, "event-type"))).toEqual(new Set(["memory.created", "auth.login.failed"])),
  },
  {
    name: "severity",
    set: (page) => page.getByRole("checkbox", { name: "warning" }).check(),
    url: /severity=warning/,
    rows: async (page) => expect(new Set(await rowAttr(page, "severity"))).toEqual(new Set(["warning"])),
  },
  { name: "username", set: (page) => page.getByLabel("username", { exact: true }).fill("eve"), url: /username=eve/ },
  {
    name: "user id",
    set: (page) => page.getByLabel("user id", { exact: true }).fill(eve.user.id),
    url: /user_id=/,
    rows: async (page) => expect(new Set(await rowAttr(page, "user-id"))).toEqual(new Set([eve.user.id])),
  },
  { name: "resource type", set: (page) => page.getByLabel("resource type").fill("memory"), url: /resource_type=memory/ },
  {
    name: "resource id",
    set: (page) => page.getByLabel("resource id").fill(String(memoryIds[3])),
    url: new RegExp(`resource_id=${memoryIds[3] ?? "\\d+"}`),
    rows: async (page) => expect(await rowAttr(page, "event-type")).toEqual(["memory.created"]),
  },
  { name: "ip address", set: (page) => page.getByLabel("ip address").fill("127.0.0.1"), url: /ip_address=127\.0\.0\.1/ },
  { name: "text search", set: (page) => page.getByLabel("Text search").fill("eve"), url: /q=eve/ },
  {
    name: "outcome",
    set: (page) => page.getByLabel("Outcome").selectOption("false").then(() => undefined),
    url: /success=false/,
    rows: async (page) => expect(new Set(await rowAttr(page, "success"))).toEqual(new Set(["false"])),
  },
  { name: "time range preset", set: (page) => page.getByLabel("Time range").selectOption("1").then(() => undefined), url: /hours=1(&|$)/ },
  {
    name: "custom range",
    // From the 10th of eve's 30 memories on: a range inside the data, not past its end.
    set: async (page) => page.getByLabel("From (ISO 8601, overrides the range)").fill((await memoryCreatedEvents())[20]!.timestamp),
    url: /start_time=/,
  },
];

test("every filter changes the rows and the URL, and agrees with GET /audit/logs", async ({ page }) => {
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/audit?hours=720&limit=250");
  const admin = await api.adminToken();
  for (const filter of filterCases) {
    await test.step(filter.name, async () => {
      await page.goto(`${server.baseUrl}/admin/audit?hours=720&limit=250`);
      const before = await totalOf(page);
      await filter.set(page);
      await page.getByRole("button", { name: "Apply filters" }).click();
      await expect(page).toHaveURL(filter.url);
      const after = await totalOf(page);
      expect(after, `${filter.name} narrows the result`).toBeLessThan(before);
      const query = new URLSearchParams(new URL(page.url()).search);
      query.set("limit", "1000");
      const viaApi = await api.get(`/audit/logs?${query}`, { token: admin });
      expect(viaApi.status).toBe(200);
      // Viewing the page wrote events of its own since; compare what existed when it rendered.
      const shown = (await rowAttr(page, "id")).map(Number);
      const newest = Math.max(0, ...shown);
      const apiIds = (viaApi.body.logs as { id: number }[]).map((l) => l.id).filter((id) => id <= newest);
      expect(shown).toEqual(apiIds.slice(0, shown.length));
      expect(shown.length).toBe(Math.min(after, 250));
      await filter.rows?.(page);
    });
  }
});

test("pagination with a page size, and sorting by time either way, are in the URL", async ({ page }, testInfo) => {
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/audit?event_type=memory.created&hours=720");
  await page.getByLabel("Rows per page").selectOption("25");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/limit=25/);
  await expect(page.getByTestId("total")).toHaveText("30");
  await expect(page.getByTestId("page-of")).toHaveText("Page 1 of 2");
  const first = await rowAttr(page, "id");
  expect(first).toHaveLength(25);
  await page.getByRole("link", { name: "Next ›" }).click();
  await expect(page).toHaveURL(/offset=25/);
  await expect(page.getByTestId("page-of")).toHaveText("Page 2 of 2");
  const second = await rowAttr(page, "id");
  expect(second).toHaveLength(5);
  expect(second.filter((id) => first.includes(id))).toEqual([]);
  expect([...first, ...second].map(Number)).toEqual((await memoryCreatedEvents()).map((l) => l.id));

  await page.getByRole("link", { name: "« First" }).click();
  await page.getByRole("link", { name: /^Time/ }).click();
  await expect(page).toHaveURL(/order=asc/);
  await expect(page.getByRole("columnheader", { name: /Time/ })).toHaveAttribute("aria-sort", "ascending");
  const times = await rowAttr(page, "time");
  expect(times).toEqual([...times].sort());
  expect((await rowAttr(page, "id")).map(Number)).toEqual([...[...first, ...second].map(Number)].reverse().slice(0, 25));
  await page.screenshot({ path: testInfo.outputPath("explorer-oldest-first.png"), fullPage: true });
  // Applying another filter keeps the order.
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/order=asc/);
  await page.getByRole("link", { name: /^Time/ }).click();
  await expect(page).not.toHaveURL(/order=asc/);
  await expect(page.getByRole("columnheader", { name: /Time/ })).toHaveAttribute("aria-sort", "descending");
});

async function memoryCreatedEvents(): Promise<{ id: number; timestamp: string }[]> {
  return api.auditLogs(await api.adminToken(), { event_type: "memory.created" });
}

test("the histogram counts the matching events", async ({ page }) => {
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/audit?username=eve&hours=720");
  const total = await totalOf(page);
  expect(total).toBeGreaterThan(30);
  await expect(page.getByTestId("histogram-total")).toHaveText(String(total));
  await expect(page.locator(".histogram svg.recharts-surface[role=application]")).toBeVisible();
});

test("export downloads a file holding exactly the filtered rows", async ({ page }) => {
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/audit?event_type=auth.login.failed&username=eve&hours=720");
  const total = await totalOf(page);
  expect(total).toBeGreaterThanOrEqual(2);
  for (const format of ["CSV", "NDJSON"] as const) {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: format, exact: true }).click()]);
    expect(download.suggestedFilename()).toMatch(format === "CSV" ? /\.csv$/ : /\.ndjson$/);
    const text = await readFile((await download.path())!, "utf8");
    const lines = text.trim().split("\n");
    if (format === "CSV") {
      const [header, ...rows] = lines;
      expect(header).toContain("event_type");
      expect(rows).toHaveLength(total);
      for (const row of rows) expect(row).toContain("auth.login.failed");
    } else {
      const logs = lines.map((l) => JSON.parse(l) as { event_type: string; username: string });
      expect(logs).toHaveLength(total);
      expect(new Set(logs.map((l) => `${l.event_type} ${l.username}`))).toEqual(new Set(["auth.login.failed eve"]));
    }
  }
});

test("live tail shows a matching event created meanwhile, and nothing else", async ({ page }, testInfo) => {
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/audit?event_type=auth.login.failed&hours=720");
  const before = await rowAttr(page, "id");
  await page.getByRole("button", { name: "Live tail off" }).click();
  await expect(page.getByRole("button", { name: "Live tail on" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("live-status")).toHaveText("Live: 0 new events since switched on");
  await api.post("/auth/login", { username: "eve", password: "Wrong-live-pass" });
  await api.post("/memories", { content: "not a failed login" }, { token: eve.token });
  await expect(page.locator("tr.fresh")).toHaveCount(1, { timeout: 15_000 });
  await expect(page.locator("tr.fresh")).toHaveAttribute("data-event-type", "auth.login.failed");
  await expect(page.getByTestId("live-status")).toHaveText("Live: 1 new event since switched on");
  expect(await rowAttr(page, "id")).toEqual([await page.locator("tr.fresh").getAttribute("data-id"), ...before]);
  await page.screenshot({ path: testInfo.outputPath("explorer-live-tail.png"), fullPage: true });
  await page.getByRole("button", { name: "Live tail on" }).click();
  await expect(page.locator("tr.fresh")).toHaveCount(0);
});

test("a user's timeline lists the same events as GET /audit/logs/user/{id}", async ({ page }) => {
  const admin = await api.adminToken();
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, `/admin/audit/users/${eve.user.id}`);
  const viaApi = await api.get(`/audit/logs/user/${eve.user.id}?hours=720&limit=1000`, { token: admin });
  expect(viaApi.status).toBe(200);
  const apiIds = (viaApi.body.logs as { id: number }[]).map((l) => `/admin/audit/${l.id}`);
  const pageIds = await page.locator("ol.timeline li a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  expect(pageIds).toEqual(apiIds);
  await expect(page.getByTestId("total")).toHaveText(String(apiIds.length));
});

test("the explorer fits a phone-width screen", async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, TEST_ADMIN.username, TEST_ADMIN.password, "/admin/audit?hours=720");
  await expect(page.locator("tbody tr").first()).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: testInfo.outputPath("explorer-phone.png"), fullPage: true });
  await page.goto(`${server.baseUrl}/admin/audit/statistics`);
  await expect(page.locator("figure svg.recharts-surface").first()).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: testInfo.outputPath("statistics-phone.png"), fullPage: true });
});
