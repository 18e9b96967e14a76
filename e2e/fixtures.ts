import { expect, type Page } from "@playwright/test";
import { demoPassword, demoUsers } from "../db/seed";

export type DemoRole = (typeof demoUsers)[number]["role"];

export function demoEmail(role: DemoRole): string {
  return demoUsers.find((u) => u.role === role)!.email;
}

export async function signIn(page: Page, role: DemoRole) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(demoEmail(role));
  await page.getByLabel("Password").fill(demoPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/journeys$/);
}

/** Saves a screenshot under e2e/.screenshots for people to look at (git-ignored). */
export async function snap(page: Page, name: string) {
  await page.screenshot({ path: `e2e/.screenshots/${name}.png`, fullPage: true });
}
