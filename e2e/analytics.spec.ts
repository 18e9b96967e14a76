import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { newApiKey, snap } from "./fixtures";

const workers: ChildProcess[] = [];
test.afterAll(() => {
  for (const w of workers) w.kill("SIGTERM");
});

test("events sent through the API show up in the journey's analytics with a lift figure", async ({ page, request }) => {
  test.setTimeout(90_000);
  workers.push(spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], { env: { ...process.env }, stdio: "ignore" }));

  // An admin creates a key in the app, as a user would.
  const key = await newApiKey(page, "e2e analytics");
  const auth = { authorization: `Bearer ${key}` };

  // Journeys as code: a small journey with a 50% holdout and a goal, published through the API.
  const slug = `e2e-lift-${Date.now()}`;
  const doc = {
    format: "waymark.journey/v1",
    id: slug,
    name: `E2E lift ${slug.slice(-6)}`,
    settings: { holdoutPercent: 50, goal: { event: "purchase", within: "P7D" }, timezone: "UTC" },
    nodes: [
      { id: "t", kind: "trigger", config: { event: `${slug}-visit` } },
      { id: "m", kind: "message", config: { channel: "in_app", template: "Welcome back" } },
    ],
    edges: [{ from: "t", to: "m" }],
  };
  expect((await request.put(`/api/v1/journeys/${slug}`, { headers: auth, data: doc })).status()).toBe(201);
  expect((await request.post(`/api/v1/journeys/${slug}/publish`, { headers: auth })).status()).toBe(200);

  const batch = Array.from({ length: 60 }, (_, i) => ({ type: "track", userId: `${slug}-u${i}`, event: `${slug}-visit`, messageId: `${slug}-v${i}` }));
  const buys = Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 2 === 0).map((i) => ({ type: "track", userId: `${slug}-u${i}`, event: "purchase", messageId: `${slug}-p${i}` }));
  expect(await (await request.post("/api/v1/batch", { headers: auth, data: { batch } })).json()).toEqual({ accepted: 60, duplicates: 0 });
  await expect
    .poll(async () => (await (await request.get(`/api/v1/customers/${slug}-u0`, { headers: { authorization: `Bearer ${key}` } })).json()).journeys?.length ?? 0, { timeout: 30_000 })
    .toBe(1);
  expect((await request.post("/api/v1/batch", { headers: auth, data: { batch: buys } })).status()).toBe(200);

  await page.goto("/journeys");
  // The journeys table exports to CSV, this journey in it.
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const csv = readFileSync(await (await download).path(), "utf8");
  expect(csv.split("\n")[0]).toBe("name,slug,status,live_version,entrants,updated_at");
  expect(csv).toContain(`,${slug},live,1,`);
  await page.getByRole("link", { name: `E2E lift ${slug.slice(-6)}` }).click();
  await page.getByRole("link", { name: "Analytics", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`E2E lift ${slug.slice(-6)}: analytics`);
  await expect(page.getByTestId("kpi-entered")).toContainText("60", { timeout: 30_000 });
  const split = /(\d+) treatment · (\d+) holdout/.exec((await page.getByTestId("kpi-entered").locator("p").nth(2).textContent()) ?? "")!;
  expect(Number(split[1]) + Number(split[2])).toBe(60);
  expect(Number(split[2])).toBeGreaterThan(10);
  // Every other customer bought: 30 conversions across the two groups, all counted.
  await expect
    .poll(async () => {
      await page.reload();
      const text = (await page.getByTestId("lift").textContent()) ?? "";
      const m = /Treatment[\d.]+% of (\d+)Holdout[\d.]+% of (\d+)/.exec(text);
      const rates = [...text.matchAll(/([\d.]+)% of (\d+)/g)].slice(0, 2).map((x) => Math.round((Number(x[1]) / 100) * Number(x[2])));
      return m ? rates[0]! + rates[1]! : -1;
    }, { timeout: 30_000 })
    .toBe(30);
  await expect(page.getByTestId("lift")).toContainText("Absolute lift");
  await expect(page.getByTestId("lift")).toContainText("p-value");
  await expect(page.getByTestId("funnel")).toContainText("Message");
  // Every treatment customer took the one path (by step name) and left; the timing card reads the counters the runtime keeps.
  await expect(page.getByTestId("paths")).toContainText(`Trigger → Message${Number(split[1])} · 100.0%`);
  await expect(page.getByTestId("timing")).toContainText("Velocity");
  // Entries per day: every treatment entry counted in today's bar.
  await expect(page.getByRole("img", { name: new RegExp(`^Entries and conversions per day.*: ${Number(split[1])} entered`) })).toBeVisible();
  await snap(page, "analytics");

  // The same counts laid over the canvas: each step shows how many passed it, and the edge into the message too.
  const treatment = Number(split[1]);
  await page.goto("/journeys");
  await page.getByRole("link", { name: `E2E lift ${slug.slice(-6)}` }).click();
  await page.getByRole("button", { name: "Show counts" }).click();
  await expect(page.locator('[data-kind="trigger"]').getByTestId("node-stats")).toHaveText(`${treatment} passed · 100% of entrants`);
  await expect(page.locator('[data-kind="message"]').getByTestId("node-stats")).toContainText(`${treatment} passed`);
  await expect(page.locator(".react-flow__edge-text").first()).toHaveText(String(treatment));
  await snap(page, "canvas-counts");
  await page.getByRole("button", { name: "Counts shown" }).click();
  await expect(page.getByTestId("node-stats")).toHaveCount(0);

  // A treatment customer's page lists the message with what became of it, and its step in the timeline says so too.
  let withMessage = "";
  for (let i = 0; i < 60 && !withMessage; i++) {
    const c = (await (await request.get(`/api/v1/customers/${slug}-u${i}`, { headers: auth })).json()) as { messages?: { status: string }[] };
    if (c.messages?.length) withMessage = `${slug}-u${i}`;
  }
  expect(withMessage).not.toBe("");
  await page.goto(`/customers/${withMessage}`);
  const messages = page.getByTestId("customer-messages");
  await expect(messages.getByRole("listitem")).toHaveCount(1);
  await expect(messages).toContainText("in_app");
  await expect(messages).toContainText("Sent", { timeout: 20_000 });
  await expect(page.getByTestId("customer-steps")).toContainText("Message sent");
  await snap(page, "customer-messages");
});

test("a decision node's quality page shows each option's decisions, conversions and offline estimates", async ({ page, request }) => {
  test.setTimeout(90_000);
  if (workers.length === 0) workers.push(spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], { env: { ...process.env }, stdio: "ignore" }));
  const auth = { authorization: `Bearer ${await newApiKey(page, "e2e decisions")}` };
  const slug = `e2e-nba-${Date.now()}`;
  const doc = {
    format: "waymark.journey/v1",
    id: slug,
    name: `E2E next best action ${slug.slice(-6)}`,
    settings: { goal: { event: "purchase", within: "P7D" }, timezone: "UTC" },
    nodes: [
      { id: "t", kind: "trigger", config: { event: `${slug}-browse` } },
      { id: "nba", kind: "decision", config: { policy: "bandit", options: [{ handle: "email_offer", label: "Email offer", channel: "in_app" }, { handle: "push_nudge", label: "Push nudge", channel: "in_app" }] } },
      { id: "e", kind: "message", config: { channel: "in_app", template: "Offer" } },
      { id: "p", kind: "message", config: { channel: "in_app", template: "Nudge" } },
    ],
    edges: [{ from: "t", to: "nba" }, { from: "nba", handle: "email_offer", to: "e" }, { from: "nba", handle: "push_nudge", to: "p" }],
  };
  expect((await request.put(`/api/v1/journeys/${slug}`, { headers: auth, data: doc })).status()).toBe(201);
  expect((await request.post(`/api/v1/journeys/${slug}/publish`, { headers: auth })).status()).toBe(200);
  const visits = Array.from({ length: 30 }, (_, i) => ({ type: "track", userId: `${slug}-u${i}`, event: `${slug}-browse`, messageId: `${slug}-v${i}` }));
  expect((await request.post("/api/v1/batch", { headers: auth, data: { batch: visits } })).status()).toBe(200);
  await expect
    .poll(async () => (await (await request.get(`/api/v1/customers/${slug}-u29`, { headers: auth })).json()).journeys?.length ?? 0, { timeout: 30_000 })
    .toBe(1);
  // Everyone who got the push nudge buys.
  const timelines = await Promise.all(visits.map(async (v) => (await (await request.get(`/api/v1/customers/${v.userId}`, { headers: auth })).json()) as { steps: { type: string; detail: { handle?: string } }[] }));
  const buyers = visits.filter((_, i) => timelines[i]!.steps.some((s) => s.type === "decision" && s.detail.handle === "push_nudge"));
  if (buyers.length) {
    const buys = buyers.map((v) => ({ type: "track", userId: v.userId, event: "purchase", messageId: `${v.messageId}-buy` }));
    expect((await request.post("/api/v1/batch", { headers: auth, data: { batch: buys } })).status()).toBe(200);
  }

  await page.goto("/journeys");
  await page.getByRole("link", { name: `E2E next best action ${slug.slice(-6)}` }).click();
  await page.getByRole("link", { name: "Analytics", exact: true }).click();
  await page.getByRole("link", { name: "Decision quality →" }).click();
  await expect(page.getByRole("heading", { name: "Decision quality" })).toBeVisible();
  const options = page.getByTestId("decision-options");
  await expect(options).toContainText("Email offer");
  // 30 decisions in all, and exactly the buyers' conversions, all on the push nudge.
  const column = (n: number) => page.getByTestId("decision-options").locator(`tbody tr td:nth-child(${n})`).allTextContents();
  await expect
    .poll(async () => {
      await page.reload();
      return [(await column(2)).map(Number).reduce((a, b) => a + b, 0), (await column(3)).map(Number).reduce((a, b) => a + b, 0)];
    }, { timeout: 30_000 })
    .toEqual([30, buyers.length]);
  expect((await column(3)).map(Number)).toEqual([0, buyers.length]);
  await expect(page.getByTestId("decision-estimates")).toContainText("Uniform random choice");
  // The allocation chart: today's bars, one per option that was chosen.
  await expect(page.getByRole("img", { name: /^Decisions per day by option/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^Decisions per day by option/ }).locator(".recharts-bar-rectangle")).not.toHaveCount(0);
  await snap(page, "decision-quality");
});
