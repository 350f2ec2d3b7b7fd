import { listUsersQuery } from "@/lib/auth/schemas";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";
import { listUsers, userToJson } from "@/lib/users/service";

export const GET = apiRoute({ access: "admin", query: listUsersQuery, resourceType: "user" }, async ({ db, query }) => {
  const { users, total } = await listUsers(db, query);
  return { users: users.map(userToJson), total };
});

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
