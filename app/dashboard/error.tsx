"use client";

// Shown when a dashboard page fails to render. Only the error's digest reaches the browser; the
// server logs the rest.
import Link from "next/link";

export default function DashboardError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : null;
  return (
    <main className="page narrow">
      <h1>Something went wrong</h1>
      <p role="alert">
        This page could not be shown. Try again; if it keeps failing, tell your administrator
        {digest ? ` the reference ${digest}.` : "."}
      </p>
      <div className="actions">
        <button type="button" onClick={retry}>
          Try again
        </button>
        <Link href="/dashboard/memories">Back to your memories</Link>
      </div>
    </main>
  );
}
