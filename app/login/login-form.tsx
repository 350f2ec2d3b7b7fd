"use client";

import { signIn } from "next-auth/react";
import { useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useHydrated } from "@/app/ui/use-hydrated";

/** Only paths on this site: a callbackUrl must not send people elsewhere. */
function safeCallback(value: string | null): string {
  return value && value.startsWith("/") && !value.startsWith("//") ? value : "/";
}

export function LoginForm() {
  const params = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn("credentials", {
      username: String(form.get("username") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    setPending(false);
    if (!result || result.error) {
      setError(result?.error?.includes("Too many") ? result.error : "Invalid username or password.");
      return;
    }
    // A new navigation renders the server pages afresh with the new session.
    // A full page load: the header (who is signed in) must be drawn afresh, and the page requested
    // once (a client push followed by a refresh would render, and audit, it twice).
    window.location.assign(safeCallback(params.get("callbackUrl")));
  }

  return (
    <form onSubmit={onSubmit} method="post" className="card form" aria-describedby={error ? "login-error" : undefined}>
      <label htmlFor="username">Username or e-mail</label>
      <input id="username" name="username" autoComplete="username" required autoFocus />
      <label htmlFor="password">Password</label>
      <input id="password" name="password" type="password" autoComplete="current-password" required />
      {error && (
        <p id="login-error" role="alert" className="bad">
          {error}
        </p>
      )}
      <button type="submit" disabled={pending || !hydrated}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
