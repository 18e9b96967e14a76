"use server";

import { AuthError } from "next-auth";
import { signIn } from "@/server/auth/config";

export type SignInState = { error?: string; email?: string };

/** Signs in with email + password; Next's redirect on success is re-thrown, Auth.js errors become a message. */
export async function signInAction(_prev: SignInState, form: FormData): Promise<SignInState> {
  const email = String(form.get("email") ?? "").trim();
  const password = String(form.get("password") ?? "");
  const next = String(form.get("next") ?? "/journeys");
  if (!email || !password) return { error: "Enter your email and password.", email };
  try {
    await signIn("credentials", { email, password, redirectTo: next.startsWith("/") && !next.startsWith("//") ? next : "/journeys" });
    return {};
  } catch (err) {
    if (err instanceof AuthError) return { error: "That email and password do not match an account.", email };
    throw err;
  }
}
