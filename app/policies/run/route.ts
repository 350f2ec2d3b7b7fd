import { apiRoute, methodNotAllowed } from "@/lib/http/route";
import { runPoliciesSchema } from "@/lib/policies/schemas";
import { runPolicies } from "@/lib/policies/service";

export const POST = apiRoute(
  { access: "admin", body: runPoliciesSchema, resourceType: "policy" },
  async ({ db, actor, body, audit }) => runPolicies(db, actor, body, audit),
);

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed(["POST"]);
