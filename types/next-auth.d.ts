import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    user: { id: string; username: string; roles: string[]; sessionId: string; name?: string | null; email?: string | null };
  }
  interface User {
    id: string;
    username: string;
    roles: string[];
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    username?: string;
    roles?: string[];
    sid?: string;
  }
}
