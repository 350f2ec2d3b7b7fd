import { resetPasswordSchema, usernameParams } from "@/lib/auth/schemas";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";
import { resetPassword } from "@/lib/users/service";

export const POST = apiRoute(
  { access: "admin", params: usernameParams, body: resetPasswordSchema, resourceType: "user" },
  async ({ db, params, body, audit }) => {
    await resetPassword(db, params.username, body.new_password, audit);
    return { message: `Password of ${params.username} reset` };
  },
);

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed(["POST"]);
