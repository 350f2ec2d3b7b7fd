// The message beside a form control, tied to it by id (the control names it in aria-describedby).
export const errorId = (name: string) => `${name}-error`;

/** aria-invalid and aria-describedby for a control, given its error and optional hint element. */
export function describedBy(name: string, error: string | undefined, hintId?: string) {
  const ids = [hintId, error ? errorId(name) : undefined].filter(Boolean).join(" ");
  return { "aria-invalid": error ? true : undefined, "aria-describedby": ids || undefined };
}

export function FieldError({ name, label, error }: { name: string; label: string; error: string | undefined }) {
  if (!error) return null;
  return (
    <p id={errorId(name)} className="field-error" role="alert">
      {label} {error}.
    </p>
  );
}
