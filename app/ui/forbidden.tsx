import Link from "next/link";

export function Forbidden({ message = "Admin access required" }: { message?: string }) {
  return (
    <main className="page">
      <h1>403 — Forbidden</h1>
      <p role="alert">{message}. This attempt has been recorded in the audit log.</p>
      <p>
        <Link href="/">Back to the start page</Link>
      </p>
    </main>
  );
}
