"use server";
// Registration: POST /auth/register from the page, with the same schema and service; the
// user.created event records a POST to /register.
import { pageAudit } from "@/lib/auth/pages";
import { registerSchema } from "@/lib/auth/schemas";
import { getDb } from "@/lib/db/client";
import { createUser } from "@/lib/users/service";
import { fieldErrorsOf, formText, type FormState } from "@/app/ui/form-state";

export type RegisterState = (FormState & { registered?: boolean }) | null;

export async function registerAccount(form: FormData): Promise<RegisterState> {
  // Sent back on a refusal so the form keeps them; the password is not.
  const values = { username: formText(form, "username"), email: formText(form, "email"), full_name: formText(form, "full_name") };
  const parsed = registerSchema.safeParse({ ...values, password: form.get("password") ?? "", full_name: values.full_name || null });
  if (!parsed.success) return { errors: fieldErrorsOf(parsed.error), values };
  const { username, email, password, full_name } = parsed.data;
  const audit = await pageAudit("/register", null, "POST");
  const user = await createUser(await getDb(), { username, email, password, fullName: full_name }, { ...audit, source: "register" });
  if (!user) return { errors: {}, message: "That username or e-mail address is already registered. Choose another, or sign in.", values };
  return { errors: {}, registered: true };
}
