// Request shapes of the /auth routes.
import { z } from "zod";
import { ROLES } from "@/lib/users/service";
import { passwordSchema } from "./passwords";

export const usernameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{3,50}$/, "must be 3-50 characters of letters, digits, _ or -");
export const namespaceSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, "must be 1-128 characters of letters, digits, _ . : or -");
const emailSchema = z.email("must be an e-mail address").max(254);
const fullNameSchema = z.string().trim().max(200, "must be at most 200 characters");

export const registerSchema = z.object({
  username: usernameSchema,
  email: emailSchema,
  password: passwordSchema,
  full_name: fullNameSchema.nullish(),
  namespace: namespaceSchema.nullish(),
});

export const loginSchema = z.object({
  username: z.string().min(1, "is required").max(254),
  password: z.string().min(1, "is required").max(1024),
});

export const changePasswordSchema = z.object({
  old_password: z.string().min(1, "is required").max(1024),
  new_password: passwordSchema,
});

export const usernameParams = z.object({
  username: z.string().regex(/^[^\u0000-\u001f\u007f]{1,254}$/, "must be 1-254 printable characters"),
});

export const listUsersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  q: z.string().max(200).optional(),
});

export const updateUserSchema = z
  .object({
    roles: z.array(z.enum(ROLES)).min(1, "must name at least one role").max(3).optional(),
    is_active: z.boolean().optional(),
    full_name: fullNameSchema.nullish(),
    email: emailSchema.optional(),
    namespace: namespaceSchema.nullish(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), "must change at least one field");

export const resetPasswordSchema = z.object({ new_password: passwordSchema });
