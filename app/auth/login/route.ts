import { loginSchema } from "@/lib/auth/schemas";
import { login, loginResponse } from "@/lib/auth/service";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

export const POST = apiRoute({ access: "public", body: loginSchema }, async ({ db, body, audit }) =>
  loginResponse(await login(db, body, audit, { issueToken: true, method: "password" })),
);

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed(["POST"]);
