import { existsSync } from "node:fs";
import path from "node:path";
import { chromium, devices, type Page } from "@playwright/test";
import { createDb } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { demoPassword, demoUsers, seedDemo } from "@/db/seed";
import { validateJourney } from "@/server/journey";
import { bigJourney } from "./bench-canvas-journey";
import { createJourneyIfMissing } from "@/server/journeys/upsert-journey-draft";
import { ensureDevAuthEnv } from "./db-env";
import { FaultCluster } from "./faults/cluster";

/**
 * `npm run bench:canvas`: frame times of the journey canvas with a generated
 * 300-node / 400-edge journey, in headless Debian Chromium against the
 * production build (a benchmark: it prints figures, it does not pass or fail
 * on them). A private embedded Postgres (port WAYMARK_BENCH_PG_PORT, default
 * 54352) and `next start`; needs `npm run build` first. Bounded: about a minute.
 *
 * Frame times are the gaps between requestAnimationFrame callbacks while the
 * mouse pans the canvas, drags a step, and zooms, moved at 60 Hz as a hand
 * would; the goal is p95 ≤ 20 ms. Also: how long the page takes to show the
 * journey after navigation. Screenshots land in .test-results/bench-canvas.
 *
 * For finding out why: BENCH_PROFILE=1 prints the functions that took the
 * most CPU while a step was dragged; BENCH_CSS="…" adds a style sheet to the
 * page first (hide something and see what its painting costs).
 */
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const started = Date.now();
const log = (line: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
  console.error("bench:canvas runs the production web server, and .next has no build: run `npm run build` first.");
  process.exit(1);
}

ensureDevAuthEnv();
const cluster = new FaultCluster({ pgName: "pg-bench-canvas", pgPort: Number(process.env.WAYMARK_BENCH_PG_PORT ?? 54352), database: "waymark_bench_canvas", logDir: path.join(root, ".test-results", "bench-canvas") });
process.on("exit", () => cluster.killAllNow());
setTimeout(() => {
  console.error("bench:canvas: gave up after 180 s");
  process.exit(1);
}, 180_000).unref();

const doc = bigJourney();
const issues = validateJourney(doc);
log(`journey: ${doc.nodes.length} steps, ${doc.edges.length} connections, ${issues.filter((i) => i.severity === "error").length} errors`);
await cluster.startDatabase(true);
await migrateDatabase(cluster.databaseUrl);
const db = createDb(cluster.databaseUrl, { max: 2 });
const { workspaceId } = await seedDemo(db);
const { id: journeyId } = await createJourneyIfMissing(db, { workspaceId, createdBy: null, document: doc });
await db.$end();
await cluster.start("web");
log(`web server ready in ${await cluster.waitForWeb()} ms`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
try {
  const page = await browser.newPage({ ...devices["Desktop Chrome"], viewport: { width: 1360, height: 860 }, baseURL: cluster.webUrl });
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(demoUsers.find((u) => u.role === "marketer")!.email);
  await page.getByLabel("Password").fill(demoPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/journeys$/);

  const opens: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await page.goto(`/journeys/${journeyId}`);
    await page.locator(".react-flow__node").first().waitFor();
    await page.getByTestId("problems").waitFor();
    opens.push(performance.now() - t0);
  }
  const rendered = await page.locator(".react-flow__node").count();
  log(`open: ${opens.map((ms) => `${ms.toFixed(0)} ms`).join(", ")} (navigation → steps shown; ${rendered} of 300 steps in view are rendered)`);

  const pane = page.locator(".react-flow__pane");
  const box = (await pane.boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const viewport = () => page.locator(".react-flow__viewport").getAttribute("style");

  const measure = async (label: string, act: () => Promise<void>) => {
    // A string, not a function: tsx's name helpers do not exist in the page.
    await page.evaluate(`(() => {
      window.__benchFrames = [];
      window.__benchRunning = true;
      let last = 0;
      const tick = (t) => { window.__benchFrames.push(t - last); last = t; if (window.__benchRunning) requestAnimationFrame(tick); };
      requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
    })()`);
    await act();
    const frames = (await page.evaluate("(() => { window.__benchRunning = false; return window.__benchFrames; })()")) as number[];
    const long = frames.filter((f) => f > 33.4).length;
    log(`${label}: ${frames.length} frames, p50 ${quantile(frames, 0.5).toFixed(1)} ms, p95 ${quantile(frames, 0.95).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms, ${long} longer than 2 frames`);
    return frames;
  };
  const hand = async (page: Page, from: { x: number; y: number }, to: { x: number; y: number }, steps = 90) => {
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    for (let i = 1; i <= steps; i++) {
      await page.mouse.move(from.x + ((to.x - from.x) * i) / steps, from.y + ((to.y - from.y) * i) / steps);
      await page.waitForTimeout(16);
    }
    await page.mouse.up();
  };

  /** A point where the empty pane is on top (a drag there pans), scanning a grid. */
  const emptySpot = async () => {
    for (let y = box.y + 80; y < box.y + box.height - 80; y += 20)
      for (let x = box.x + 40; x < box.x + box.width - 80; x += 20) {
        const isPane = await page.evaluate(`document.elementFromPoint(${x}, ${y})?.classList.contains("react-flow__pane") ?? false`);
        if (isPane) return { x, y };
      }
    throw new Error("no empty spot on the pane to start a pan");
  };
  const all: number[] = [];
  await page.keyboard.press("f");
  await page.waitForTimeout(500);
  const v0 = await viewport();
  log(`zoom to fit: ${await page.locator(".react-flow__node").count()} of 300 steps rendered (${v0})`);
  await page.screenshot({ path: path.join(root, ".test-results", "bench-canvas", "zoomed-out.png") });
  const p0 = await emptySpot();
  const cdp = await page.context().newCDPSession(page);
  if (process.env.BENCH_CSS) await page.addStyleTag({ content: process.env.BENCH_CSS });
  all.push(...(await measure("pan at 10 % (most of the journey in view)", () => hand(page, p0, { x: p0.x + 200, y: p0.y + 60 }))));
  if ((await viewport()) === v0) throw new Error(`the pan did not move the view (${v0}): the figures above measured nothing`);
  for (let i = 0; i < 6; i++) {
    await page.mouse.move(cx, cy);
    await page.mouse.wheel(0, -240);
    await page.waitForTimeout(60);
  }
  await page.waitForTimeout(400);
  const p1 = await emptySpot();
  const v1 = await viewport();
  all.push(...(await measure("pan, zoomed in (steps enter and leave the view)", () => hand(page, p1, { x: p1.x + 500, y: p1.y + 150 }))));
  if ((await viewport()) === v1) throw new Error(`the zoomed pan did not move the view (${v1})`);
  // A step fully in view with room to move it, dragged by its header; the bench checks it really moved.
  const pick = (await page.evaluate(`(() => {
    const pane = document.querySelector(".react-flow__pane").getBoundingClientRect();
    return [...document.querySelectorAll(".react-flow__node")].findIndex((n) => {
      const r = n.getBoundingClientRect();
      return r.left > pane.left + 20 && r.top > pane.top + 60 && r.right + 220 < pane.right && r.bottom + 130 < pane.bottom;
    });
  })()`)) as number;
  if (pick < 0) throw new Error("no step in view to drag");
  const step = page.locator(".react-flow__node").nth(pick);
  const sb = (await step.boundingBox())!;
  if (process.env.BENCH_PROFILE) { await cdp.send("Profiler.enable"); await cdp.send("Profiler.start"); }
  all.push(...(await measure("drag a step", () => hand(page, { x: sb.x + 40, y: sb.y + 10 }, { x: sb.x + 240, y: sb.y + 120 }))));
  if (process.env.BENCH_PROFILE) {
    const { profile } = (await cdp.send("Profiler.stop")) as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[]; samples: number[]; timeDeltas: number[] } };
    const self = new Map<string, number>();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => { const n = byId.get(id)!; const k = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`; self.set(k, (self.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000); });
    for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) log(`   ${ms.toFixed(0).padStart(6)} ms  ${k}`);
  }
  const moved = (await step.boundingBox())!;
  log(`  the step moved by (${(moved.x - sb.x).toFixed(0)}, ${(moved.y - sb.y).toFixed(0)}) px on screen`);
  if (Math.abs(moved.x - sb.x) < 100) throw new Error("the dragged step did not move: the figures above measured nothing");
  all.push(
    ...(await measure("zoom with the wheel", async () => {
      for (let i = 0; i < 24; i++) {
        await page.mouse.wheel(0, i < 12 ? 120 : -120);
        await page.waitForTimeout(33);
      }
    })),
  );
  log(`all interactions: ${all.length} frames, p95 ${quantile(all, 0.95).toFixed(1)} ms (goal ≤ 20 ms), p99 ${quantile(all, 0.99).toFixed(1)} ms`);
} finally {
  await browser.close();
  await cluster.shutdown();
}
process.exit(0);
