import { publicKeyInfo } from "@/lib/audit/keys";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

// Public: anyone checking a checkpoint or an exported bundle needs the key, and nothing else.
export const GET = apiRoute({ access: "public" }, async () => publicKeyInfo());

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
