import { registerSchema } from "@/lib/auth/schemas";
import { conflict } from "@/lib/http/errors";
import { apiRoute, json, methodNotAllowed } from "@/lib/http/route";
import { createUser, userToJson } from "@/lib/users/service";

export const POST = apiRoute({ access: "public", body: registerSchema }, async ({ db, body, audit }) => {
  const user = await createUser(
    db,
    { username: body.username, email: body.email, password: body.password, fullName: body.full_name, namespace: body.namespace },
    { ...audit, source: "register" },
  );
  if (!user) throw conflict("Username or email already registered");
  return json(userToJson(user), 201);
});

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed(["POST"]);
