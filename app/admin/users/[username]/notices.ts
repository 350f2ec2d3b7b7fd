// What a manage-panel form reports: an error for the form, or (after its redirect) a notice
// named in the URL by key, so a link cannot put arbitrary text on the page.
import type { User } from "@/lib/db/schema";

export type FormState = { error: string } | null;

const NOTICES = {
  roles: (user: User) => `Roles of ${user.username} changed to ${user.roles.join(", ")}.`,
  activated: (user: User) => `${user.username} was activated and can sign in again.`,
  deactivated: (user: User) => `${user.username} was deactivated and can no longer sign in.`,
  password: (user: User) => `The password of ${user.username} was reset.`,
} satisfies Record<string, (user: User) => string>;

export type Notice = keyof typeof NOTICES;

export function noticeText(key: string | undefined, user: User): string | null {
  return key && Object.hasOwn(NOTICES, key) ? NOTICES[key as Notice](user) : null;
}
