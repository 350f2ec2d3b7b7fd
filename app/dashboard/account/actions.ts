"use server";
// "Change password": POST /auth/change-password for the signed-in user, with the same schema and
// service. The new password is typed twice here; the API takes it once.
import { requireUserPage } from "@/lib/auth/pages";
import { changePasswordSchema } from "@/lib/auth/schemas";
import { changePassword } from "@/lib/auth/service";
import { getDb } from "@/lib/db/client";
import { ApiError } from "@/lib/http/errors";
import { fieldErrorsOf, type FormState } from "@/app/ui/form-state";
import { refusalState } from "../refusals";

export type PasswordState = (FormState & { changed?: boolean }) | null;

// The form's names for the API's fields.
const FORM_NAMES = { old_password: "current_password", new_password: "new_password" };

export async function changePasswordAction(_previous: PasswordState, form: FormData): Promise<PasswordState> {
  const { actor, audit } = await requireUserPage("/dashboard/account", "", "POST");
  const input = { old_password: form.get("current_password") ?? "", new_password: form.get("new_password") ?? "" };
  const parsed = changePasswordSchema.safeParse(input);
  const errors = parsed.success ? {} : fieldErrorsOf(parsed.error, FORM_NAMES);
  if (form.get("confirm_password") !== input.new_password) errors.confirm_password = "does not match the new password";
  if (!parsed.success || errors.confirm_password) return { errors };
  try {
    await changePassword(await getDb(), actor.user, { oldPassword: parsed.data.old_password, newPassword: parsed.data.new_password }, audit);
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) return { errors: { current_password: "is incorrect" } };
    // A 422 names new_password, as the form does.
    return refusalState(error, audit, { resourceType: "user", resourceId: actor.userId });
  }
  return { errors: {}, changed: true };
}
