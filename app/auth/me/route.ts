import { apiRoute, methodNotAllowed } from "@/lib/http/route";
import { userToJson } from "@/lib/users/service";

export const GET = apiRoute({ access: "authenticated" }, async ({ actor }) => userToJson(actor.user));

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
