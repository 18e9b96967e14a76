import { expect, test } from "@playwright/test";
import { newApiKey, snap } from "./fixtures";

test("pausing a live journey asks what happens to customers in it; hold is shown until resumed", async ({ page, request }) => {
  const auth = { authorization: `Bearer ${await newApiKey(page, "e2e pause", ["journeys:write"])}` };
  const slug = `e2e-pause-${Date.now()}`;
  const doc = {
    format: "waymark.journey/v1",
    id: slug,
    name: `E2E pause ${slug.slice(-6)}`,
    settings: { timezone: "UTC" },
    nodes: [
      { id: "t", kind: "trigger", config: { event: "e2e_pause_probe" } },
      { id: "m", kind: "message", config: { channel: "in_app", template: "Hi" } },
    ],
    edges: [{ from: "t", to: "m" }],
  };
  expect((await request.put(`/api/v1/journeys/${slug}`, { headers: auth, data: doc })).status()).toBe(201);
  expect((await request.post(`/api/v1/journeys/${slug}/publish`, { headers: auth })).status()).toBe(200);

  await page.goto("/journeys");
  await page.getByRole("link", { name: `E2E pause ${slug.slice(-6)}` }).click();
  await page.getByRole("button", { name: "Pause…" }).click();
  const choice = page.getByRole("group", { name: "How to pause" });
  await expect(choice).toBeVisible();
  await snap(page, "pause-choice");
  // Escape closes it without pausing.
  await page.keyboard.press("Escape");
  await expect(choice).toHaveCount(0);
  await page.getByRole("button", { name: "Pause…" }).click();
  await choice.getByRole("button", { name: "Hold them where they are" }).click();
  await expect(page.getByTestId("pause-mode")).toContainText("held where they are");
  await page.reload();
  await expect(page.getByTestId("pause-mode")).toContainText("held where they are");
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(page.getByRole("button", { name: "Pause…" })).toBeVisible();
  await expect(page.getByTestId("pause-mode")).toHaveCount(0);
});
