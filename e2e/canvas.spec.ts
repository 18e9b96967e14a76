import { expect, test, type Page } from "@playwright/test";
import { signIn, snap } from "./fixtures";

const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

async function setSettings(page: Page, json: string) {
  const box = page.getByLabel("Node settings");
  await box.fill(json);
}

test("build a journey with the mouse: add, connect, configure, validate, save, reload, publish", async ({ page }) => {
  await signIn(page, "marketer");
  await page.getByRole("button", { name: "New journey" }).click();
  await page.getByRole("menuitem", { name: /Blank canvas/ }).click();
  await expect(page).toHaveURL(/\/journeys\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("problems")).toContainText("1 error"); // no trigger yet

  // Click to add: each new step follows the selected one and is connected to it.
  await page.getByTestId("palette-trigger").click();
  await page.getByTestId("palette-wait").click();
  await page.getByTestId("palette-message").click();
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("f");
  await expect(page.locator(".react-flow__node")).toHaveCount(3);
  await expect(page.locator(".react-flow__edge")).toHaveCount(2);

  // Drag from the palette onto the canvas, then connect by dragging from a handle.
  await page.getByTestId("palette-exit").dragTo(page.locator(".react-flow__pane"), { targetPosition: { x: 300, y: 380 } });
  await expect(page.locator(".react-flow__node")).toHaveCount(4);
  await node(page, "message_1").locator(".react-flow__handle.source").dragTo(node(page, "exit_1").locator(".react-flow__handle.target"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(3);

  // Configure: a validation error appears on the node and in the problems list, and goes away when fixed.
  await node(page, "wait_1").click();
  await setSettings(page, "{}");
  await expect(node(page, "wait_1").getByTestId("node-issue-badge")).toBeVisible();
  await expect(page.getByTestId("problems")).toContainText("Wait 'wait_1' has no duration");
  await snap(page, "canvas-validation-error");
  await setSettings(page, '{ "for": "PT2H" }');
  await expect(node(page, "wait_1").getByTestId("node-issue-badge")).toHaveCount(0);
  await expect(node(page, "wait_1")).toContainText("Wait 2 h");
  await node(page, "message_1").click();
  await setSettings(page, '{ "channel": "email", "subject": "Your cart misses you", "template": "Hi {{traits.firstName}}" }');
  await expect(node(page, "message_1")).toContainText("Email · Your cart misses you");
  await expect(page.getByTestId("save-state")).toHaveText("All changes saved");

  // Reload: everything was saved.
  await page.reload();
  await page.keyboard.press("f");
  await expect(page.locator(".react-flow__node")).toHaveCount(4);
  await expect(page.locator(".react-flow__edge")).toHaveCount(3);
  await expect(node(page, "wait_1")).toContainText("Wait 2 h");
  await expect(page.getByTestId("problems")).toContainText("No problems");
  await snap(page, "canvas-built");

  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(page.getByText("Published version 1.")).toBeVisible();
  await expect(page.getByTestId("journey-versions")).toContainText("v1");

  // Test mode: the simulator runs in the browser; the path lights up and the timeline shows each effect.
  await page.getByRole("button", { name: "Test journey" }).click();
  await page.getByTestId("test-mode").getByLabel("Event 1 name").fill("cart_abandoned");
  await page.getByRole("button", { name: "Run test" }).click();
  const timeline = page.getByTestId("test-timeline");
  await expect(timeline).toContainText("Entered");
  await expect(timeline).toContainText("Message sent · message_1");
  await expect(timeline).toContainText("+2 h");
  await expect(node(page, "message_1").locator("[data-kind]")).toHaveAttribute("data-lit", "true");
  await expect(node(page, "exit_1").locator("[data-kind]")).toHaveAttribute("data-lit", "true");
  await snap(page, "canvas-test-mode");
});

test("an analyst sees the canvas read-only", async ({ page }) => {
  await signIn(page, "analyst");
  await page.getByRole("link", { name: "Abandoned cart recovery" }).click();
  await expect(page.locator(".react-flow__node").first()).toBeVisible();
  await expect(page.getByText("Read-only")).toBeVisible();
  await expect(page.getByTestId("palette-trigger")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Publish", exact: true })).toHaveCount(0);
});
