// npm run user:create -- --username NAME --email ADDRESS [--password PW] [--admin] [--readonly]
// Creates a user (user.created is recorded with source "cli"). Without --password it is read
// from MEMORIC_NEW_USER_PASSWORD or asked for on the terminal. Do not run it against a PGlite
// folder while the server has it open.
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { z } from "zod";
import { passwordSchema } from "@/lib/auth/passwords";
import { usernameSchema } from "@/lib/auth/schemas";
import { connectFromEnv } from "@/lib/db/client";
import { createUser, type Role } from "@/lib/users/service";
import { runCli } from "./cli";

const usage = "usage: npm run user:create -- --username NAME --email ADDRESS [--password PW] [--admin | --readonly] [--full-name NAME]";

async function askPassword(): Promise<string> {
  if (process.env.MEMORIC_NEW_USER_PASSWORD) return process.env.MEMORIC_NEW_USER_PASSWORD;
  if (!process.stdin.isTTY) throw new Error("no --password given and no terminal to ask on (or set MEMORIC_NEW_USER_PASSWORD)");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question("Password: ");
  } finally {
    rl.close();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      username: { type: "string" },
      email: { type: "string" },
      password: { type: "string" },
      "full-name": { type: "string" },
      admin: { type: "boolean", default: false },
      readonly: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help || !values.username || !values.email) {
    console.error(usage);
    return values.help ? 0 : 2;
  }
  if (values.admin && values.readonly) {
    console.error("--admin and --readonly exclude each other");
    return 2;
  }
  const input = z
    .object({ username: usernameSchema, email: z.email("must be an e-mail address"), password: passwordSchema })
    .safeParse({ username: values.username, email: values.email, password: values.password ?? (await askPassword()) });
  if (!input.success) {
    for (const issue of input.error.issues) console.error(`${issue.path.join(".")} ${issue.message}`);
    return 2;
  }
  const roles: Role[] = values.admin ? ["admin", "user"] : values.readonly ? ["readonly"] : ["user"];
  console.log("Opening the database…");
  const handle = await connectFromEnv();
  try {
    const user = await createUser(
      handle.db,
      { ...input.data, fullName: values["full-name"] ?? null, roles },
      { userId: "system", username: "system", source: "cli" },
    );
    if (!user) {
      console.error(`A user named ${input.data.username} or with e-mail ${input.data.email} exists already.`);
      return 1;
    }
    console.log(`Created ${user.username} (${user.id}) with roles ${user.roles.join(", ")}.`);
    return 0;
  } finally {
    await handle.close();
  }
}

runCli(main);
