import { logout } from "@/lib/auth/service";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

export const POST = apiRoute({ access: "authenticated" }, async ({ db, actor, audit }) => {
  await logout(db, actor.user, actor.token, audit);
  return { message: actor.token ? "Logged out; the token is revoked" : "Logged out" };
});

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed(["POST"]);
