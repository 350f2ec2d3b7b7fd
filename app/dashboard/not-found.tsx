import Link from "next/link";

export const metadata = { title: "Not found" };

/** A memory that does not exist, or is someone else's (which is not revealed either). */
export default function DashboardNotFound() {
  return (
    <main className="page narrow">
      <h1>Not found</h1>
      <p>There is no such memory among yours. It may have been deleted, or the link may be mistyped.</p>
      <p>
        <Link href="/dashboard/memories">Back to your memories</Link>
      </p>
    </main>
  );
}
