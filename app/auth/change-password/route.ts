import { changePasswordSchema } from "@/lib/auth/schemas";
import { changePassword } from "@/lib/auth/service";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

export const POST = apiRoute({ access: "authenticated", body: changePasswordSchema }, async ({ db, actor, body, audit }) => {
  await changePassword(db, actor.user, { oldPassword: body.old_password, newPassword: body.new_password }, audit);
  return { message: "Password changed" };
});

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed(["POST"]);
