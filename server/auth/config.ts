import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { findUnstorable } from "@/server/journey/unstorable-text";
import { verifyPassword } from "./password";

// No text Postgres cannot store in the email (NUL): comparing with it is an error, not "wrong password"; such an email cannot exist anyway.
const credentialsSchema = z.object({ email: z.string().trim().toLowerCase().min(3).max(254).refine((e) => findUnstorable(e) === null), password: z.string().min(1).max(200) });

class InvalidLogin extends CredentialsSignin {
  code = "invalid_credentials";
}

/**
 * Auth.js v5, email + password (scrypt), JWT sessions in an HTTP-only cookie so
 * they survive reloads and restarts. Roles are NOT in the token: they are read
 * from memberships on every request, so a role change takes effect at once.
 */
export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: 60 * 60 * 24 * 14 },
  pages: { signIn: "/sign-in" },
  // A wrong password is an expected event, not a server error: keep it out of the error log.
  logger: {
    error(error) {
      if ((error as { type?: string }).type === "CredentialsSignin" || error.name === "CredentialsSignin") return;
      console.error("[auth]", error);
    },
  },
  providers: [
    Credentials({
      credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
      async authorize(raw) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) throw new InvalidLogin();
        const db = await getDb();
        const user = await db.query.users.findFirst({ where: sql`lower(${users.email}) = ${parsed.data.email}` });
        // Verify against a dummy hash when the user is unknown, so timing does not reveal which emails exist.
        const ok = await verifyPassword(parsed.data.password, user?.passwordHash ?? dummyHash);
        if (!user || !ok) throw new InvalidLogin();
        return { id: user.id, email: user.email, name: user.name };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
});

const dummyHash = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A".repeat(86) + "==";
