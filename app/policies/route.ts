import { apiRoute, methodNotAllowed } from "@/lib/http/route";
import { POLICY_CONFIG } from "@/lib/policies/schemas";

export const GET = apiRoute({ access: "admin", resourceType: "policy" }, async () => POLICY_CONFIG);

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
