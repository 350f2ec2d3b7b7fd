"use client";

import { signIn } from "next-auth/react";
import { useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";

/** Only paths on this site: a callbackUrl must not send people elsewhere. */
function safeCallback(value: string | null): string {
  return value && value.startsWith("/") && !value.startsWith("//") ? value : "/";
}

export function LoginForm() {
  const router = useRouter();
  const params = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

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
    router.push(safeCallback(params.get("callbackUrl")));
    // The layout (the header saying who is signed in) is cached by the client router; redraw it.
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="card form" aria-describedby={error ? "login-error" : undefined}>
      <label htmlFor="username">Username or e-mail</label>
      <input id="username" name="username" autoComplete="username" required autoFocus />
      <label htmlFor="password">Password</label>
      <input id="password" name="password" type="password" autoComplete="current-password" required />
      {error && (
        <p id="login-error" role="alert" className="bad">
          {error}
        </p>
      )}
      <button type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
