"use client";

// Shown when a page fails to render: says so plainly, offers a retry and a way back. The server
// logs the error itself; only its digest (no details, no secrets) reaches the browser.
import Link from "next/link";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="page narrow">
      <h1>Something went wrong</h1>
      <p role="alert">This page could not be shown. Try again; if it keeps failing, tell your administrator{error.digest ? ` the reference ${error.digest}` : ""}.</p>
      <div className="actions">
        <button type="button" onClick={reset}>
          Try again
        </button>
        <Link href="/">Back to the start page</Link>
      </div>
    </main>
  );
}
