import { expect, test } from "@playwright/test";
import { newApiKey, signIn, snap } from "./fixtures";

test("the ops dashboard shows ingest, queue lag, timers and delivery, and refreshes by itself", async ({ page, browser, request }) => {
  const key = await newApiKey(page, "e2e ops", ["events:write"]);
  // An analyst (read only) opens it from the navigation.
  const analyst = await browser.newPage();
  await signIn(analyst, "analyst");
  await analyst.getByRole("link", { name: "Operations", exact: true }).click();
  await expect(analyst).toHaveURL(/\/ops$/);
  const ingested = analyst.getByRole("region", { name: "Events ingested" });
  await expect(ingested).toBeVisible();
  const before = Number((await ingested.locator("p").first().textContent())!.replace(/,/g, ""));
  await expect(analyst.getByRole("region", { name: "Queue lag" })).toBeVisible();
  await expect(analyst.getByRole("region", { name: "Timers" })).toBeVisible();
  await expect(analyst.getByRole("region", { name: "Dispatch (24 h)" })).toBeVisible();

  // Events sent now show up without reloading the page.
  const id = `e2e-ops-${Date.now()}`;
  const batch = Array.from({ length: 5 }, (_, i) => ({ type: "track", userId: `${id}-${i}`, event: "ops_probe", messageId: `${id}-${i}` }));
  expect((await request.post("/api/v1/batch", { headers: { authorization: `Bearer ${key}` }, data: { batch } })).status()).toBe(200);
  await expect.poll(async () => Number((await ingested.locator("p").first().textContent())!.replace(/,/g, "")), { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 5);
  await expect(analyst.getByRole("img", { name: /Events per minute/ })).toBeVisible();
  await snap(analyst, "ops");
});

test("the incrementality page compares journeys with the global control group, or says how to set one up", async ({ page }) => {
  await signIn(page, "analyst");
  await page.getByRole("link", { name: "Incrementality", exact: true }).click();
  await expect(page).toHaveURL(/\/incrementality$/);
  await expect(page.getByRole("heading", { name: /global control group/i })).toBeVisible();
  await expect(page.getByRole("heading", { name: "By journey" })).toBeVisible();
  // A date range with nothing in it empties the table, and "All time" brings it back.
  await page.getByLabel("From").fill("2020-01-01");
  await page.getByLabel("To").fill("2020-01-31");
  await expect(page.getByText("No journey has had entrants in this period")).toBeVisible();
  await page.getByRole("button", { name: "All time" }).click();
  await expect(page.getByLabel("From")).toHaveValue("");
  // A From after the To is said, and the figures stay those of the last range that made sense (since March 2020: all of it).
  const rows = page.getByRole("row");
  await expect(rows.first()).toBeVisible();
  const shown = await rows.count();
  await page.getByLabel("From").fill("2020-03-01");
  await page.getByLabel("To").fill("2020-01-31");
  const rangeAlert = page.getByRole("alert").filter({ hasText: "is after" });
  await expect(rangeAlert).toHaveText(/“From” is after “To”/);
  await expect(page.getByLabel("From")).toHaveAttribute("aria-invalid", "true");
  await expect(rows).toHaveCount(shown);
  await page.getByRole("button", { name: "All time" }).click();
  await expect(rangeAlert).toHaveCount(0);
  await snap(page, "incrementality");
});
