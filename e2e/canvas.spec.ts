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
  // Friendly fields: a live preview of the template for a sample customer, a variable inserted, the wait's amount.
  await expect(page.getByTestId("template-preview")).toContainText("Hi Ada");
  await page.getByLabel("Insert variable").selectOption("traits.email");
  await expect(page.getByTestId("template-preview")).toContainText("ada@example.com");
  await expect(page.getByLabel("Node settings")).toHaveValue(/\{\{traits\.email\}\}/);
  await node(page, "wait_1").click();
  await expect(page.getByLabel("Wait unit")).toHaveValue("H");
  await page.getByLabel("Wait amount").fill("3");
  await expect(node(page, "wait_1")).toContainText("Wait 3 h");
  await snap(page, "canvas-friendly-fields");
  await node(page, "message_1").click();
  await snap(page, "canvas-message-fields");
  await expect(page.getByTestId("save-state")).toHaveText("All changes saved");

  // Tidy up: the dragged-in exit goes to the right of the message it follows; undo puts it back.
  const box = async (id: string) => (await node(page, id).boundingBox())!;
  const offRow = async () => Math.abs((await box("exit_1")).y - (await box("message_1")).y);
  expect(await offRow()).toBeGreaterThan(20); // dropped below the chain
  await page.getByRole("button", { name: "Tidy up" }).click();
  await expect.poll(async () => (await box("exit_1")).x - (await box("message_1")).x).toBeGreaterThan(100);
  await expect.poll(offRow).toBeLessThan(20);
  const [t, w, m] = [await box("trigger_1"), await box("wait_1"), await box("message_1")];
  expect(t.x < w.x && w.x < m.x).toBe(true);
  await snap(page, "canvas-tidy");
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("Control+z");
  await page.keyboard.press("f");
  await expect.poll(offRow).toBeGreaterThan(20);
  await page.keyboard.press("Control+Shift+z");
  await expect(page.getByTestId("save-state")).toHaveText("All changes saved");
  // The shortcuts help: ? opens it, Esc closes it.
  await page.keyboard.press("?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(help).toContainText("tidy up");
  await snap(page, "canvas-shortcuts");
  await page.keyboard.press("Escape");
  await expect(help).toHaveCount(0);

  // Reload: everything was saved. (A journey wider than the canvas opens at its start, readable; F shows it whole,
  // once the opening view has been set.)
  await page.reload();
  await expect(page.locator(".react-flow__node").first()).toBeVisible(); // measured: the opening view is set now or never
  await expect(async () => {
    await page.keyboard.press("f");
    await expect(page.locator(".react-flow__node")).toHaveCount(4, { timeout: 1_000 });
  }).toPass();
  await expect(page.locator(".react-flow__edge")).toHaveCount(3);
  await expect(node(page, "wait_1")).toContainText("Wait 3 h");
  await expect(page.getByTestId("problems")).toContainText("No problems");
  await snap(page, "canvas-built");

  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await page.getByRole("button", { name: "Publish now" }).click();
  await expect(page.getByText("Published version 1.")).toBeVisible();
  await expect(page.getByTestId("journey-versions")).toContainText("v1");

  // Test mode: the simulator runs in the browser; the path lights up and the timeline shows each effect.
  await page.getByRole("button", { name: "Test journey" }).click();
  await page.getByTestId("test-mode").getByLabel("Event 1 name").fill("cart_abandoned");
  await page.getByRole("button", { name: "Run test" }).click();
  const timeline = page.getByTestId("test-timeline");
  await expect(timeline).toContainText("Entered");
  // Steps by name, reasons in words.
  await expect(timeline).toContainText("Message sent · Message");
  await expect(timeline).toContainText("Exited (the journey's end)");
  await expect(timeline).toContainText("+3 h");
  await expect(node(page, "message_1").locator("[data-kind]")).toHaveAttribute("data-lit", "true");
  await expect(node(page, "exit_1").locator("[data-kind]")).toHaveAttribute("data-lit", "true");
  await snap(page, "canvas-test-mode");

  // Import JSON: a broken file and an invalid document are refused with the reasons and change nothing; a valid one replaces the draft, undoably.
  await page.getByRole("button", { name: "Testing" }).click();
  const file = page.getByLabel("Journey JSON file");
  await file.setInputFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from("{ not json") });
  await expect(page.getByTestId("import-error")).toContainText("Not JSON");
  await file.setInputFiles({ name: "invalid.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify({ format: "waymark.journey/v1", id: "x", nodes: "many" })) });
  await expect(page.getByTestId("import-error")).toContainText("nodes");
  await expect(page.locator(".react-flow__node")).toHaveCount(4);
  await snap(page, "canvas-import-error");
  const imported = {
    format: "waymark.journey/v1",
    id: "imported",
    name: "Imported",
    nodes: [
      { id: "start", kind: "trigger", config: { event: "signup" } },
      { id: "hello", kind: "message", config: { channel: "sms", template: "Welcome!" } },
    ],
    edges: [{ from: "start", to: "hello" }],
  };
  await file.setInputFiles({ name: "good.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(imported)) });
  await expect(page.getByTestId("import-error")).toHaveCount(0);
  await expect(page.locator(".react-flow__node")).toHaveCount(2);
  await expect(node(page, "hello")).toContainText("SMS");
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("Control+z");
  await expect(page.locator(".react-flow__node")).toHaveCount(4);
  await expect(node(page, "wait_1")).toContainText("Wait 3 h");
});

test("journey settings and the condition builder: goal, holdout, time zone, where and branch cases, undoable and saved", async ({ page }) => {
  await signIn(page, "marketer");
  await page.getByRole("button", { name: "New journey" }).click();
  await page.getByRole("menuitem", { name: /Abandoned cart/ }).click();
  await expect(page).toHaveURL(/\/journeys\/[0-9a-f-]{36}$/);
  await expect(page.locator(".react-flow__node").first()).toBeVisible();

  // Nothing selected: the inspector shows the journey's settings, its name first.
  const settings = page.getByTestId("journey-settings");
  await expect(settings.getByLabel("Event name")).toHaveValue("order_completed");
  await settings.getByLabel("Journey name").fill("Cart rescue, renamed");
  await expect(page.getByRole("heading", { name: "Cart rescue, renamed" })).toBeVisible();
  await settings.getByLabel("Holdout percent").fill("25");
  await expect(settings).toContainText("Holdout group: 25% of entrants");
  await settings.getByLabel("Priority").fill("150");
  await expect(settings.getByLabel("Priority")).toHaveValue("100"); // clamped to the allowed range
  await settings.getByLabel("Time zone").selectOption("Europe/Paris");
  await settings.getByLabel("Goal window amount").fill("3");
  await snap(page, "canvas-journey-settings");
  // Undo and redo reach settings too.
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("Control+z");
  await expect(settings.getByLabel("Goal window amount")).toHaveValue("7");
  await page.keyboard.press("Control+Shift+z");
  await expect(settings.getByLabel("Goal window amount")).toHaveValue("3");

  // The trigger's where: read back in words, extended with a second row, switched to "any".
  await node(page, "trigger").click();
  const where = page.getByTestId("condition-builder");
  await expect(where.getByTestId("condition-summary")).toHaveText("total ≥ 20");
  await where.getByRole("button", { name: "+ Condition" }).click();
  const row = where.getByTestId("condition-row").nth(1);
  await row.getByLabel("Condition path").fill("traits.plan");
  await row.getByLabel("Condition operator").selectOption("eq");
  await row.getByLabel("Condition value").fill("pro");
  await expect(where.getByTestId("condition-summary")).toHaveText('total ≥ 20 and plan is "pro"');
  await where.getByLabel("Match").selectOption("any");
  await expect(where.getByTestId("condition-summary")).toHaveText('total ≥ 20 or plan is "pro"');
  await row.getByRole("button", { name: "Not" }).click();
  await expect(where.getByTestId("condition-summary")).toHaveText('total ≥ 20 or not plan is "pro"');
  await expect(page.getByLabel("Node settings")).toHaveValue(/"any"/);
  await snap(page, "canvas-condition-builder");

  // A branch case's condition.
  await node(page, "big_cart").click();
  const vip = page.getByTestId("case-vip");
  await expect(vip.getByTestId("condition-summary")).toHaveText("total ≥ 150");
  await vip.getByLabel("Condition value").fill("200");
  await expect(vip.getByTestId("condition-summary")).toHaveText("total ≥ 200");
  await expect(page.getByTestId("problems")).toContainText("No problems");
  await expect(page.getByTestId("save-state")).toHaveText("All changes saved");

  // Reload: all of it was saved.
  await page.reload();
  await expect(settings).toContainText("Holdout group: 25% of entrants");
  await expect(settings.getByLabel("Time zone")).toHaveValue("Europe/Paris");
  await expect(settings.getByLabel("Goal window amount")).toHaveValue("3");
  await expect(page.getByRole("heading", { name: "Cart rescue, renamed" })).toBeVisible();
  await node(page, "trigger").click();
  await expect(page.getByTestId("condition-summary")).toHaveText('total ≥ 20 or not plan is "pro"');
});

test("versions: the draft's changes against live, and an old version opened read-only with what changed", async ({ page }) => {
  await signIn(page, "marketer");
  await page.getByRole("button", { name: "New journey" }).click();
  await page.getByRole("menuitem", { name: /Abandoned cart/ }).click();
  await expect(page).toHaveURL(/\/journeys\/[0-9a-f-]{36}$/);
  await page.getByTestId("journey-settings").getByLabel("Journey name").fill("Cart rescue (versions test)");
  await expect(page.getByTestId("save-state")).toHaveText("All changes saved");
  await expect(page.getByTestId("draft-changes")).toContainText("12 steps and 11 connections, all new.");
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(page.getByTestId("publish-summary")).toContainText("First version: 12 steps and 11 connections go live.");
  await page.getByRole("button", { name: "Publish now" }).click();
  await expect(page.getByText("Published version 1.")).toBeVisible();
  await expect(page.getByTestId("draft-changes")).toHaveText("No changes: the draft is the live version.");
  // Nothing new to publish: the button says so instead of making an identical version.
  await expect(page.getByRole("button", { name: "Publish", exact: true })).toBeDisabled();

  // Change the draft: the card says what publishing would change.
  await page.getByTestId("journey-settings").getByLabel("Holdout percent").fill("20");
  await node(page, "wait_1h").click();
  await page.getByLabel("Wait amount").fill("2");
  await expect(page.getByTestId("save-state")).toHaveText("All changes saved");
  const draft = page.getByTestId("draft-changes");
  await expect(draft).toContainText("holdout 10% → 20%");
  await expect(draft).toContainText("Wait · Wait 1 h → Wait · Wait 2 h");
  await snap(page, "journey-draft-changes");
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  const review = page.getByRole("group", { name: "Review before publishing" });
  await expect(review).toContainText("2 changes since live v1");
  // Escape backs out: nothing is published.
  await page.keyboard.press("Escape");
  await expect(review).toHaveCount(0);
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await snap(page, "journey-publish-review");
  await review.getByRole("button", { name: "Publish now" }).click();
  await expect(page.getByText("Published version 2.")).toBeVisible();
  await expect(draft).toHaveText("No changes: the draft is the live version.");

  // v1, read-only: what live v2 changes from it.
  await page.getByTestId("journey-versions").getByRole("link", { name: /v1/ }).click();
  await expect(page).toHaveURL(/\/versions\/1$/);
  await expect(page.getByRole("heading", { name: /v1/ })).toBeVisible();
  await expect(page.getByText("Read-only", { exact: true })).toBeVisible();
  await expect(page.getByTestId("to-live")).toContainText("holdout 10% → 20%");
  await expect(page.getByTestId("to-live")).toContainText("Wait 1 h → Wait · Wait 2 h");
  await expect(page.locator(".react-flow__node").first()).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Node palette" })).toHaveCount(0);
  await snap(page, "journey-version-v1");
  // v2 says what it changed from v1.
  await page.goto(page.url().replace(/1$/, "2"));
  await expect(page.getByTestId("since-previous")).toContainText("holdout 10% → 20%");
  await page.goto(page.url().replace(/2$/, "9"));
  await expect(page.getByText("This journey has no version 9.")).toBeVisible();
});

test("an analyst sees the canvas read-only", async ({ page }) => {
  await signIn(page, "analyst");
  await page.getByRole("link", { name: "Abandoned cart recovery", exact: true }).click();
  await expect(page.locator(".react-flow__node").first()).toBeVisible();
  await expect(page.getByText("Read-only", { exact: true })).toBeVisible();
  await expect(page.getByTestId("palette-trigger")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Publish", exact: true })).toHaveCount(0);
});
