import { expect, test } from "@playwright/test";
import { signPayload, verifySignature } from "../server/ingest/verify-signature";
import { startWebhookReceiver } from "../server/testing/webhook-receiver";
import { signIn, snap } from "./fixtures";

test("an admin makes a signed event source (secret shown once, rolled) and points a channel at a webhook gateway, then sends a test", async ({ page, request }) => {
  // A real gateway on loopback that the in-app channel will POST to.
  const gateway = await startWebhookReceiver();
  const { url: gatewayUrl, received } = gateway;

  try {
    await signIn(page, "admin");
    await page.goto("/settings");

    // Event source: the secret is shown once and signs requests that the webhook endpoint accepts.
    const slug = `shop-${Date.now()}`;
    await page.getByRole("button", { name: "New source" }).click();
    await page.getByLabel("Source name").fill("Shop orders");
    await page.getByLabel("Slug").fill(slug);
    await page.getByRole("button", { name: "Create source" }).click();
    const secret = (await page.getByTestId("new-source-secret").textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await snap(page, "settings-event-source-created");
    await page.getByRole("button", { name: "Done" }).click();
    await expect(page.getByTestId("new-source-secret")).toHaveCount(0);
    await expect(page.getByTestId("source-row").filter({ hasText: slug })).toBeVisible();

    const body = JSON.stringify({ type: "track", userId: "e2e-source", event: "order_completed", messageId: `${slug}-1` });
    const sign = (s: string) => signPayload(s, body, Math.floor(Date.now() / 1000));
    const send = (s: string) => request.post(`/api/v1/webhooks/${slug}`, { data: body, headers: { "content-type": "application/json", "x-waymark-signature": sign(s) } });
    expect((await send(secret)).status()).toBe(200);

    page.once("dialog", (d) => void d.accept());
    await page.getByTestId("source-row").filter({ hasText: slug }).getByRole("button", { name: "Roll secret" }).click();
    await expect(page.getByText(/New signing secret for “Shop orders”/)).toBeVisible();
    const rolled = (await page.getByTestId("new-source-secret").textContent())!.trim();
    expect(rolled).not.toBe(secret);
    expect((await send(secret)).status()).toBe(401);
    expect((await send(rolled)).status()).toBe(200);

    // Channel: in-app goes to the gateway; a bad URL is refused and changes nothing.
    const inApp = page.getByTestId("channel-in_app");
    await inApp.getByRole("button", { name: "Configure" }).click();
    await inApp.getByRole("radio", { name: /Webhook/ }).check();
    await inApp.getByLabel("URL").fill("ftp://nope.example");
    await inApp.getByLabel("Signing secret").fill("whsec_gateway-e2e");
    await inApp.getByRole("button", { name: "Save" }).click();
    await expect(inApp.getByRole("alert")).toContainText(/URL/i);
    await page.reload();
    await expect(page.getByTestId("channel-in_app")).toContainText("Sandbox");

    await inApp.getByRole("button", { name: "Configure" }).click();
    await inApp.getByRole("radio", { name: /Webhook/ }).check();
    await inApp.getByLabel("URL").fill(gatewayUrl);
    await inApp.getByLabel("Signing secret").fill("whsec_gateway-e2e");
    await inApp.getByRole("button", { name: "Save" }).click();
    await expect(inApp).toContainText(`POST to ${gatewayUrl}`);
    await inApp.getByRole("button", { name: "Send test" }).click();
    await expect(inApp.getByRole("status")).toContainText("Test sent");
    expect(received).toHaveLength(1);
    expect(verifySignature("whsec_gateway-e2e", received[0]!.body, String(received[0]!.headers["x-waymark-signature"]), Math.floor(Date.now() / 1000)).ok).toBe(true);

    // The secret never comes back: the form offers to keep it.
    await inApp.getByRole("button", { name: "Configure" }).click();
    await expect(inApp.getByLabel("Signing secret")).toHaveValue("");
    await expect(inApp.getByLabel("Signing secret")).toHaveAttribute("placeholder", /Saved/);
    await snap(page, "settings-channels");
    expect(await page.content()).not.toContain("whsec_gateway-e2e");

    // Back to the sandbox, so other tests' in-app messages stay on the Outbox page.
    await inApp.getByRole("radio", { name: /Sandbox/ }).check();
    await inApp.getByRole("button", { name: "Save" }).click();
    await expect(inApp).toContainText("Nothing leaves Waymark");
  } finally {
    await gateway.close();
  }
});
