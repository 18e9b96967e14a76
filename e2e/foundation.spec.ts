import { expect, test } from "@playwright/test";
import { journeyTemplates } from "../server/journey";
import { demoEmail, signIn, snap } from "./fixtures";

const seededNames = journeyTemplates.map((t) => t.document.name);

test("sign-in refuses a wrong password with a clear message", async ({ page }) => {
  await page.goto("/journeys");
  await expect(page).toHaveURL(/\/sign-in/);
  await snap(page, "sign-in");
  await page.getByLabel("Email").fill(demoEmail("admin"));
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toContainText("do not match");
  await expect(page).toHaveURL(/\/sign-in/);
});

for (const role of ["admin", "marketer", "analyst"] as const) {
  test(`${role} signs in, sees the seeded journeys, keeps the session on reload and signs out`, async ({ page }) => {
    await signIn(page, role);
    await expect(page.getByTestId("current-role")).toHaveText(new RegExp(role, "i"));
    const table = page.getByTestId("journey-table");
    for (const name of seededNames) await expect(table).toContainText(name);
    if (role === "admin") await snap(page, "journeys-list");
    await page.reload();
    await expect(page.getByTestId("journey-table")).toBeVisible();
    await page.getByRole("button", { name: "Sign out" }).first().click();
    await expect(page).toHaveURL(/\/sign-in\?signedOut=1/);
    await expect(page.getByText("You are signed out.")).toBeVisible();
    await page.goto("/settings");
    await expect(page).toHaveURL(/\/sign-in/);
  });
}

test("admin creates an API key, sees it once, and revokes it", async ({ page }) => {
  await signIn(page, "admin");
  await page.getByRole("link", { name: "Settings", exact: true }).click();
  await page.getByRole("button", { name: "New API key" }).click();
  const name = `e2e key ${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  await page.getByRole("checkbox", { name: /analytics:read/ }).check();
  await page.getByRole("button", { name: "Create key" }).click();
  const shown = page.getByTestId("new-api-key");
  await expect(shown).toHaveText(/^wm_[A-Za-z0-9_-]{40}$/);
  const key = (await shown.textContent())!;
  await snap(page, "settings-api-key-created");

  const row = page.getByTestId("api-key-row").filter({ hasText: name });
  await expect(row).toContainText(`${key.slice(0, 11)}…`);
  await expect(row).toContainText("analytics:read");
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("new-api-key")).toHaveCount(0);
  await page.reload();
  await expect(page.locator("body")).not.toContainText(key);

  page.once("dialog", (d) => void d.accept());
  await page.getByTestId("api-key-row").filter({ hasText: name }).getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("api-key-row").filter({ hasText: name })).toContainText("Revoked");
  await expect(page.getByText("api_key.revoke").first()).toBeVisible();
});

test("admin adds a member who can then sign in with their role", async ({ page, browser }) => {
  await signIn(page, "admin");
  await page.goto("/settings");
  await page.getByRole("button", { name: "Add member" }).click();
  const email = `new-${Date.now()}@demo.waymark.dev`;
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("First password").fill("first-password-1");
  await page.getByLabel("Role of the new member").selectOption("analyst");
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByTestId("member-row").filter({ hasText: email })).toBeVisible();
  await snap(page, "settings-members");

  const other = await browser.newPage();
  await other.goto("/sign-in");
  await other.getByLabel("Email").fill(email);
  await other.getByLabel("Password").fill("first-password-1");
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other.getByTestId("current-role")).toHaveText("Analyst");
  await other.close();
});

test("analyst sees no write actions and the server refuses them too", async ({ page }) => {
  await signIn(page, "analyst");
  await expect(page.getByRole("button", { name: /new/i })).toHaveCount(0);
  await page.getByRole("link", { name: "Settings", exact: true }).click();
  await expect(page.getByText("Only admins manage this workspace")).toBeVisible();
  await expect(page.getByRole("button", { name: "New API key" })).toHaveCount(0);
  await snap(page, "settings-analyst");

  const res = await page.request.post("/api/trpc/workspace.createApiKey", {
    data: { json: { name: "sneaky", scopes: ["events:write"] } },
  });
  expect(res.status()).toBe(403);
  expect(await res.text()).toContain("needs the admin role");

  const list = await page.request.get("/api/trpc/journey.list?input=" + encodeURIComponent(JSON.stringify({ json: {} })));
  expect(list.status()).toBe(200);
});

test("signed-out callers are refused by the API", async ({ request }) => {
  const res = await request.get("/api/trpc/journey.list?input=" + encodeURIComponent(JSON.stringify({ json: {} })));
  expect(res.status()).toBe(401);
});

test("ingestion answers are not gzipped (a few bytes of JSON: compressing them cost the web server CPU on every event)", async ({ request }) => {
  const headers = { "accept-encoding": "gzip", authorization: "Bearer wm_notakeynotakeynotakey0", "content-type": "application/json" };
  const res = await request.post("/api/v1/track", { headers, data: { userId: "u1", event: "x" } });
  expect(res.status()).toBe(401);
  expect(res.headers()["cache-control"]).toContain("no-transform");
  expect(res.headers()["content-encoding"]).toBeUndefined();
  // Other API answers are still compressed for clients that accept it (so the check above is not vacuous).
  const other = await request.get("/api/v1/customers/u1", { headers });
  expect(other.status()).toBe(401);
  expect(other.headers()["content-encoding"]).toBe("gzip");
});

test("a URL with a malformed percent-escape gets a clear 400, not a 500", async ({ request }) => {
  for (const path of ["/api/v1/customers/%E0%A4%A", "/api/v1/journeys/%ZZ", "/api/v1/webhooks/%", "/api/trpc/%E0"]) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(400);
    expect((await res.json()).error).toContain("malformed percent-escape");
  }
  const res = await request.get("/journeys/%E0%A4%A");
  expect(res.status()).toBe(400);
  expect(await res.text()).toContain("malformed percent-escape");
  // Well-formed escapes still reach the route (here: the API asks for a key).
  expect((await request.get("/api/v1/customers/a%2Fb")).status()).toBe(401);
});

test("an API path no route serves gets a JSON 404, not the app's HTML page", async ({ request }) => {
  for (const path of ["/api/v1/nothing", "/api/v1/customers/a/b", "/api/v1/journeys/a/b"]) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(404);
    expect((await res.json()).error, path).toContain("No such API endpoint");
  }
  expect((await request.post("/api/v1/trak", { data: {} })).status()).toBe(404);
});

test("an ingestion route asked with another method than POST says so in JSON, as the ingestion listener does", async ({ request }) => {
  for (const [method, path] of [["GET", "/api/v1/track"], ["PUT", "/api/v1/identify"], ["DELETE", "/api/v1/batch"], ["PATCH", "/api/v1/webhooks/stripe"]] as const) {
    const res = await request.fetch(path, { method });
    expect(res.status(), `${method} ${path}`).toBe(405);
    expect(res.headers()["allow"], `${method} ${path}`).toBe("OPTIONS, POST");
    expect(await res.json(), `${method} ${path}`).toEqual({ errors: [{ index: -1, path: "", message: "Send events with POST" }] });
  }
  // OPTIONS says what the route takes (Next's own answer listed every method the route file exports).
  const options = await request.fetch("/api/v1/track", { method: "OPTIONS" });
  expect([options.status(), options.headers()["allow"]]).toEqual([204, "OPTIONS, POST"]);
});
