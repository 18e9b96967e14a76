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

/** An admin creates an API key in Settings, as a user would; returns the key shown once. */
export async function newApiKey(page: Page, name: string, scopes: string[] = ["journeys:write", "analytics:read"]): Promise<string> {
  await signIn(page, "admin");
  await page.goto("/settings");
  await page.getByRole("button", { name: "New API key" }).click();
  await page.getByLabel("Name").fill(name);
  for (const scope of scopes) await page.getByRole("checkbox", { name: new RegExp(scope) }).check();
  await page.getByRole("button", { name: "Create key" }).click();
  return (await page.getByTestId("new-api-key").textContent())!;
}
