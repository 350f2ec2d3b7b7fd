// Signing in the way a person does: open a page, get sent to /login, sign in, come back.
import { expect, type Page } from "@playwright/test";

export async function signInAt(page: Page, baseUrl: string, username: string, password: string, path: string): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
  await page.getByLabel("Username or e-mail").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // bcrypt on a busy machine can take longer than an assertion's 5 s.
  await page.waitForURL((url) => url.pathname !== "/login", { timeout: 30_000 });
  await expect(page.getByRole("heading", { name: "Sign in to Memoric" })).toHaveCount(0);
}
