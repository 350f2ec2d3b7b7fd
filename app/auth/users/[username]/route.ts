import { updateUserSchema, usernameParams } from "@/lib/auth/schemas";
import { recordAuditEvent } from "@/lib/audit/record";
import { forbidden } from "@/lib/http/errors";
import { apiRoute, methodNotAllowed, noContent } from "@/lib/http/route";
import { deleteUser, getUserByUsername, updateUser, userToJson } from "@/lib/users/service";

export const GET = apiRoute(
  { access: "authenticated", params: usernameParams, resourceType: "user" },
  async ({ db, actor, params, audit }) => {
    if (actor.username !== params.username && !actor.isAdmin) throw forbidden("Can only view your own profile");
    const user = await getUserByUsername(db, params.username);
    if (user.id !== actor.userId) {
      await recordAuditEvent(db, {
        ...audit,
        eventType: "authz.access.granted",
        resourceType: "user",
        resourceId: user.id,
        action: "read",
        metadata: { reason: "admin" },
      });
    }
    return userToJson(user);
  },
);

export const PATCH = apiRoute(
  { access: "admin", params: usernameParams, body: updateUserSchema, resourceType: "user" },
  async ({ db, actor, params, body, audit }) =>
    userToJson(
      await updateUser(
        db,
        actor.user,
        params.username,
        { roles: body.roles, isActive: body.is_active, fullName: body.full_name, email: body.email, namespace: body.namespace },
        audit,
      ),
    ),
);

export const DELETE = apiRoute(
  { access: "admin", params: usernameParams, resourceType: "user" },
  async ({ db, actor, params, audit }) => {
    await deleteUser(db, actor.user, params.username, audit);
    return noContent();
  },
);

export const { POST, PUT } = methodNotAllowed(["GET", "PATCH", "DELETE"]);
