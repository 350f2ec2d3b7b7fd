"use client";
// The three forms of the manage panel. Each posts to its server action and shows what the action
// refused right beside its controls; a success redirects with a notice instead.
import { useActionState } from "react";
import type { FormState } from "./notices";

type Action = (previous: FormState, form: FormData) => Promise<FormState>;

function FormError({ id, state }: { id: string; state: FormState }) {
  return state ? (
    <p id={id} role="alert" className="field-error">
      {state.error}
    </p>
  ) : null;
}

export function RolesForm({ action, roles, options }: { action: Action; roles: string[]; options: readonly string[] }) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="form" aria-label="Roles">
      <fieldset className="field" aria-describedby={state ? "roles-error" : undefined}>
        <legend>Roles</legend>
        <div>
          {options.map((role) => (
            <label key={role} className="inline">
              <input type="checkbox" name="roles" value={role} defaultChecked={roles.includes(role)} /> {role}
            </label>
          ))}
        </div>
      </fieldset>
      <FormError id="roles-error" state={state} />
      <div className="actions">
        <button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save roles"}
        </button>
      </div>
    </form>
  );
}

export function StatusForm({ action, isActive }: { action: Action; isActive: boolean }) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="form" aria-label="Account status">
      <p id="status-now">
        The account is <strong className={isActive ? "ok" : "bad"}>{isActive ? "active" : "deactivated"}</strong>
        {isActive ? " and can sign in." : " and cannot sign in."}
      </p>
      <input type="hidden" name="is_active" value={String(!isActive)} />
      <FormError id="status-error" state={state} />
      <div className="actions">
        <button type="submit" disabled={pending} aria-describedby={state ? "status-now status-error" : "status-now"}>
          {pending ? "Saving…" : isActive ? "Deactivate account" : "Activate account"}
        </button>
      </div>
    </form>
  );
}

export function PasswordForm({ action }: { action: Action }) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="form" aria-label="Reset password">
      <div className="field">
        <label htmlFor="new_password">New password</label>
        <input
          id="new_password"
          name="new_password"
          type="password"
          autoComplete="new-password"
          required
          aria-invalid={state ? true : undefined}
          aria-describedby={state ? "password-rule password-error" : "password-rule"}
        />
        <p id="password-rule" className="hint">
          8–128 characters with an upper-case letter, a lower-case letter and a digit.
        </p>
        <FormError id="password-error" state={state} />
      </div>
      <div className="actions">
        <button type="submit" disabled={pending}>
          {pending ? "Resetting…" : "Reset password"}
        </button>
      </div>
    </form>
  );
}
