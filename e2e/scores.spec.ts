import { spawn, type ChildProcess } from "node:child_process";
import { expect, test } from "@playwright/test";
import { newApiKey, snap } from "./fixtures";

const workers: ChildProcess[] = [];
test.afterAll(() => {
  for (const w of workers) w.kill("SIGTERM");
});

test("predictive scores: an admin tunes how outcomes are labelled, sees each model, and a silent customer's churn risk shows on their page", async ({ page, request }) => {
  test.setTimeout(90_000);
  workers.push(spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], { env: { ...process.env }, stdio: "ignore" }));
  const key = await newApiKey(page, "e2e scores");

  // A customer last active ten days ago, and one active now.
  const id = `e2e-scores-${Date.now()}`;
  const tenDaysAgo = new Date(Date.now() - 10 * 24 * 3600_000).toISOString();
  const batch = [
    { type: "track", userId: `${id}-quiet`, event: "session_started", timestamp: tenDaysAgo, messageId: `${id}-q` },
    { type: "track", userId: `${id}-active`, event: "session_started", messageId: `${id}-a` },
  ];
  expect(await (await request.post("/api/v1/batch", { headers: { authorization: `Bearer ${key}` }, data: { batch } })).json()).toEqual({ accepted: 2, duplicates: 0 });

  await page.goto("/settings");
  const panel = page.getByRole("region", { name: "churnRisk model" });
  await expect(panel).toBeVisible();
  await expect(panel.getByRole("listitem")).toHaveCount(6);
  await expect(page.getByRole("region", { name: "purchasePropensity model" }).getByText("Days since active")).toBeVisible();

  await page.getByLabel("Purchase window (days)").fill("10");
  await page.getByRole("button", { name: "Save scoring" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
  await snap(page, "scores-settings");
  await page.reload();
  await expect(page.getByLabel("Purchase window (days)")).toHaveValue("10");

  // An empty purchase event is refused by the server with a message, and nothing changes.
  await page.getByLabel("Purchase event").fill(" ");
  await page.getByLabel("Purchase window (days)").fill("3");
  await page.getByRole("button", { name: "Save scoring" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "name the purchase event" })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Purchase event")).toHaveValue("order_completed");
  await expect(page.getByLabel("Purchase window (days)")).toHaveValue("10");
  await page.getByLabel("Purchase window (days)").fill("7");
  await page.getByRole("button", { name: "Save scoring" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();

  // The worker scored both: ten silent days mean a high churn risk; activity today a low one.
  await page.goto(`/customers/${id}-quiet`);
  const quiet = page.getByRole("meter", { name: "churnRisk" });
  await expect(quiet).toBeVisible({ timeout: 30_000 });
  expect(Number(await quiet.getAttribute("aria-valuenow"))).toBeGreaterThanOrEqual(0.7);
  await snap(page, "scores-customer");
  await page.goto(`/customers/${id}-active`);
  const active = page.getByRole("meter", { name: "churnRisk" });
  await expect(active).toBeVisible({ timeout: 30_000 });
  expect(Number(await active.getAttribute("aria-valuenow"))).toBeLessThan(0.4);
});
