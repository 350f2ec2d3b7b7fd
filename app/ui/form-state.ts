// What a form's server action reports back: a message per field (shown beside its control), one
// for the whole form, and the submitted text, so that a refused form keeps what was typed.
import type { z } from "zod";

/** A field's message completes a sentence that starts with the field's label ("must be …"). */
export type FieldErrors = Partial<Record<string, string>>;

export interface FormState {
  errors: FieldErrors;
  message?: string;
  values?: Record<string, string>;
}

/**
 * The messages of a zod error by top-level field, several joined with "; ". `rename` maps a
 * schema field to the form control's name; issues about the whole object go under "form".
 */
export function fieldErrorsOf(error: z.ZodError, rename: Record<string, string> = {}): FieldErrors {
  const messages: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "form");
    const list = (messages[rename[key] ?? key] ??= []);
    if (!list.includes(issue.message)) list.push(issue.message);
  }
  return Object.fromEntries(Object.entries(messages).map(([field, list]) => [field, list.join("; ")]));
}

/** A text control's value; line breaks as typed (browsers submit a textarea's as CRLF). */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value.replace(/\r\n?/g, "\n") : "";
}
