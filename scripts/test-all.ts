import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { ensureDatabase, ensureDevAuthEnv } from "./db-env";

/**
 * `npm test`: every test, in order of cost. Lint, typecheck and unit tests
 * first; then, on one test database (the real one when DATABASE_URL is set,
 * else a fresh embedded one), integration tests, a production build, the fault
 * suite (on its own private Postgres) and the Playwright e2e suite. Stops at
 * the first failing step and ends with one line counting the tests of every
 * runner.
 */
const resultsDir = ".test-results";
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

type Counts = { passed: number; failed: number; skipped: number };
const total: Counts = { passed: 0, failed: 0, skipped: 0 };

function run(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = Date.now();
  console.log(`\n▶ ${label}`);
  return new Promise((resolve) => {
    const child = spawn(cmd.startsWith("/") ? cmd : `node_modules/.bin/${cmd}`, args, { stdio: "inherit", env });
    child.on("exit", (code, signal) => {
      const status = code ?? (signal ? 1 : 0);
      console.log(`${status === 0 ? "✔" : "✘"} ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      resolve(status);
    });
  });
}

function addVitest(file: string) {
  if (!existsSync(file)) return;
  const r = JSON.parse(readFileSync(file, "utf8")) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
  total.passed += r.numPassedTests;
  total.failed += r.numFailedTests;
  total.skipped += r.numPendingTests + r.numTodoTests;
}

function addPlaywright(file: string) {
  if (!existsSync(file)) return;
  const r = JSON.parse(readFileSync(file, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number; skipped: number } };
  total.passed += r.stats.expected + r.stats.flaky;
  total.failed += r.stats.unexpected;
  total.skipped += r.stats.skipped;
}

function finish(code: number): never {
  console.log(`\nwaymark: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  process.exit(code);
}

/** Chromium from Debian's packages; installed here when missing and we are root (fresh machines). */
async function ensureChromium(): Promise<boolean> {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (existsSync(path)) return true;
  if (process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) return false;
  console.log("\n▶ Chromium is missing: installing Debian's chromium with apt-get");
  const update = await run("apt-get update", "/usr/bin/apt-get", ["update", "-qq"]);
  if (update !== 0) return false;
  await run("apt-get install chromium", "/usr/bin/apt-get", ["install", "-y", "-qq", "chromium"], { ...process.env, DEBIAN_FRONTEND: "noninteractive" });
  return existsSync(path);
}

const vitest = (project: string) => ["run", "--project", project, "--reporter=default", "--reporter=json", `--outputFile.json=${resultsDir}/${project}.json`];

ensureDevAuthEnv();
if ((await run("lint", "eslint", ["--max-warnings", "0", "."])) !== 0) finish(1);
if ((await run("typecheck", "tsc", ["--noEmit"])) !== 0) finish(1);
const unit = await run("unit tests", "vitest", vitest("unit"));
addVitest(`${resultsDir}/unit.json`);
if (unit !== 0) finish(1);

const { embedded } = await ensureDatabase("test");
let code = 0;
try {
  code = await run("integration tests (Postgres)", "vitest", vitest("integration"));
  addVitest(`${resultsDir}/integration.json`);
  if (code === 0) code = await run("production build", "next", ["build"]);
  if (code === 0) {
    // One test: the system under faults, on its own private Postgres (scripts/test-faults.ts, ≈ 1.5 min).
    code = await run("fault suite (SIGKILL worker and web server, stop Postgres)", "tsx", ["scripts/test-faults.ts"]);
    total[code === 0 ? "passed" : "failed"] += 1;
  }
  if (code === 0) {
    if (!(await ensureChromium())) {
      console.error("\n✘ e2e needs Debian's Chromium at /usr/bin/chromium: run `sudo apt-get install -y chromium` (npx playwright install cannot work offline).");
      code = 1;
    } else {
      code = await run("e2e (Playwright, Chromium)", "playwright", ["test"], { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: `${resultsDir}/e2e.json` });
      addPlaywright(`${resultsDir}/e2e.json`);
    }
  }
} finally {
  await embedded?.stop();
}
finish(code);
