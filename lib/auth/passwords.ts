// Password hashing (bcrypt, cost 12) and the strength rule the API and settings share.
import bcrypt from "bcryptjs";
import { z } from "zod";

const BCRYPT_COST = 12;

export const passwordSchema = z
  .string()
  .min(8, "must be at least 8 characters")
  .max(128, "must be at most 128 characters")
  .regex(/[a-z]/, "must contain a lower-case letter")
  .regex(/[A-Z]/, "must contain an upper-case letter")
  .regex(/[0-9]/, "must contain a digit");

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
