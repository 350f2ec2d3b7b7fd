// The header of every page: where a signed-in person can go, and a way to sign out.
import Link from "next/link";
import { currentUser } from "@/lib/auth/pages";
import { SignOutButton } from "./sign-out-button";

export async function SiteHeader() {
  const user = await currentUser();
  return (
    <header className="site-header">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Link href="/" className="brand">
        Memoric
      </Link>
      <nav aria-label="Main">
        {user ? (
          <>
            <Link href="/dashboard/memories">Memories</Link>
            <Link href="/dashboard/clusters">Clusters</Link>
            {user.isAdmin && <Link href="/admin/audit">Admin</Link>}
            <Link href="/dashboard/account">Account</Link>
            <span className="who" data-testid="signed-in-as">
              {user.username}
            </span>
            <SignOutButton />
          </>
        ) : (
          <>
            <Link href="/login">Sign in</Link>
            <Link href="/register">Register</Link>
          </>
        )}
      </nav>
    </header>
  );
}
