import Link from "next/link";
import type { ReactNode } from "react";

/** Navigation of the admin pages (each page checks the role itself). */
export default function AdminLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <nav className="admin-nav" aria-label="Admin">
        <Link href="/admin/audit">Audit log</Link>
        <Link href="/admin/audit/security">Security events</Link>
        <Link href="/admin/audit/statistics">Statistics</Link>
        <Link href="/admin/users">Users</Link>
        <Link href="/admin/integrity">Integrity</Link>
      </nav>
      {children}
    </>
  );
}
