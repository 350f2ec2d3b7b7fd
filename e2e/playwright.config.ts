import { defineConfig } from "@playwright/test";

// Debian's Chromium (apt-get install -y chromium); Playwright's own browser download is not used.
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: ".",
  outputDir: "../test-results/e2e",
  timeout: 120_000,
  workers: 1,
  reporter: [["list"]],
  use: {
    launchOptions: {
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
    viewport: { width: 1280, height: 900 },
    screenshot: "only-on-failure",
  },
});
