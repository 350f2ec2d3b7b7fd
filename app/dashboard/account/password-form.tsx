"use client";
// The change-password form. Passwords are never sent back to the page, so a refused form is
// typed again; a changed password leaves the session signed in.
import { useActionState } from "react";
import { describedBy, FieldError } from "@/app/ui/field-error";
import type { PasswordState } from "./actions";

const FIELDS = [
  { name: "current_password", label: "Current password", autoComplete: "current-password" },
  { name: "new_password", label: "New password", autoComplete: "new-password", hint: "8–128 characters with an upper-case letter, a lower-case letter and a digit." },
  { name: "confirm_password", label: "Confirm new password", autoComplete: "new-password" },
] as const;

export function PasswordForm({ action }: { action: (previous: PasswordState, form: FormData) => Promise<PasswordState> }) {
  const [state, formAction, pending] = useActionState(action, null);
  const errors = state?.errors ?? {};
  return (
    <form action={formAction} className="form narrow" noValidate aria-label="Change password">
      {state?.changed && (
        <p role="status" className="ok">
          Password changed. Use the new one the next time you sign in.
        </p>
      )}
      {state?.message && (
        <p role="alert" className="bad">
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
              type="password"
              autoComplete={field.autoComplete}
              required
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
        <button type="submit" disabled={pending}>
          {pending ? "Changing…" : "Change password"}
        </button>
      </div>
    </form>
  );
}
