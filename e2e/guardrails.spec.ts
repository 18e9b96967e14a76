import { expect, test } from "@playwright/test";
import { signIn, snap } from "./fixtures";

test("an admin sets workspace guardrails; a bad value is refused and changes nothing", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/settings");
  await page.getByRole("button", { name: "Add a cap" }).click();
  await page.getByLabel("Cap 1 maximum").fill("2");
  await page.getByLabel("Cap 1 channel").selectOption("email");
  await page.getByLabel("Cap 1 window").selectOption("P7D");
  await page.getByRole("checkbox", { name: /Hold messages between/ }).check();
  await page.getByLabel("Quiet hours start").fill("22:00");
  await page.getByLabel("Global control group (%)").fill("5");
  await page.getByRole("button", { name: "Save guardrails" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
  await snap(page, "guardrails");

  await page.reload();
  await expect(page.getByLabel("Cap 1 maximum")).toHaveValue("2");
  await expect(page.getByLabel("Cap 1 channel")).toHaveValue("email");
  await expect(page.getByLabel("Cap 1 window")).toHaveValue("P7D");
  await expect(page.getByLabel("Quiet hours start")).toHaveValue("22:00");
  await expect(page.getByLabel("Global control group (%)")).toHaveValue("5");

  await page.getByLabel("Global control group (%)").fill("80");
  await page.getByRole("button", { name: "Save guardrails" }).click();
  // The form refuses it before sending (the server refuses it too: see workspace-settings.int.test.ts).
  expect(await page.getByLabel("Global control group (%)").evaluate((e) => (e as HTMLInputElement).validity.valid)).toBe(false);
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toHaveCount(0);
  await page.reload();
  await expect(page.getByLabel("Global control group (%)")).toHaveValue("5");

  // Back to none, so other tests see a workspace without caps.
  await page.getByRole("button", { name: "Remove cap 1" }).click();
  await page.getByRole("checkbox", { name: /Hold messages between/ }).uncheck();
  await page.getByLabel("Global control group (%)").fill("0");
  await page.getByRole("button", { name: "Save guardrails" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
});
