import Link from "next/link";

export const metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <main className="page narrow">
      <h1>Page not found</h1>
      <p>There is nothing at this address. It may have been deleted, or the link may be mistyped.</p>
      <p>
        <Link href="/">Back to the start page</Link>
      </p>
    </main>
  );
}
