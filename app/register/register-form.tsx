"use client";
// The registration form: the server action creates the account, then the browser signs in with
// the same credentials (as the sign-in page does) and opens the new user's memories.
import { signIn } from "next-auth/react";
import { useActionState } from "react";
import { describedBy, FieldError } from "@/app/ui/field-error";
import { useHydrated } from "@/app/ui/use-hydrated";
import { registerAccount, type RegisterState } from "./actions";

const FIELDS = [
  { name: "username", label: "Username", type: "text", autoComplete: "username", hint: "3–50 letters, digits, _ or -; you sign in with it." },
  { name: "email", label: "E-mail", type: "email", autoComplete: "email" },
  { name: "password", label: "Password", type: "password", autoComplete: "new-password", hint: "8–128 characters with an upper-case letter, a lower-case letter and a digit." },
  { name: "full_name", label: "Full name", type: "text", autoComplete: "name", hint: "Optional." },
] as const;

async function register(_previous: RegisterState, form: FormData): Promise<RegisterState> {
  const result = await registerAccount(form);
  if (!result?.registered) return result;
  const signedIn = await signIn("credentials", { username: String(form.get("username")), password: String(form.get("password")), redirect: false });
  if (!signedIn?.ok || signedIn.error) {
    return { errors: {}, message: "Your account was created, but signing in failed. Sign in with your new password." };
  }
  // A full page load, so that the header shows the new session too.
  window.location.assign("/dashboard/memories");
  return result;
}

export function RegisterForm() {
  const [state, formAction, pending] = useActionState(register, null);
  const hydrated = useHydrated();
  const errors = state?.errors ?? {};
  const busy = pending || !!state?.registered;
  return (
    <form action={formAction} method="post" className="card form" noValidate aria-label="Register">
      {state?.message && (
        <p role="alert" className="bad" id="register-message">
          {state.message}
        </p>
      )}
      {FIELDS.map((field) => {
        const hintId = "hint" in field ? `${field.name}-hint` : undefined;
        return (
          <div className="field" key={field.name}>
            <label htmlFor={field.name}>{field.label}</label>
            <input
              id={field.name}
              name={field.name}
              type={field.type}
              autoComplete={field.autoComplete}
              required={field.name !== "full_name"}
              defaultValue={field.name === "password" ? undefined : state?.values?.[field.name]}
              {...describedBy(field.name, errors[field.name], hintId)}
            />
            {"hint" in field && (
              <p id={hintId} className="hint">
                {field.hint}
              </p>
            )}
            <FieldError name={field.name} label={field.label} error={errors[field.name]} />
          </div>
        );
      })}
      <div className="actions">
        <button type="submit" disabled={busy || !hydrated}>
          {busy ? "Creating your account…" : "Create account"}
        </button>
      </div>
    </form>
  );
}
