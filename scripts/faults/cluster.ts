import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { resolveDataDir, startEmbeddedDatabase, stopLeftover, type EmbeddedDatabase } from "@/db/embedded";
import { knownDriverCrash } from "./known-crashes";

/**
 * The processes of a fault run, each one ours to kill: a private embedded
 * Postgres (its own data folder and port, never the machine's shared one), the
 * production web server (`next start`) and runtime workers, each a separate
 * process group so SIGKILL takes the whole process and anything it forked.
 *
 * Processes run in slots ("web", "worker-a", …), as under a process manager:
 * a process that exits without being told to is restarted in its slot (once
 * Postgres is up) and its exit recorded. A crash is a failure of the run,
 * except the one known driver defect (./known-crashes.ts), reported apart.
 */
type Child = { name: string; slot: string; proc: ChildProcess; expected: boolean; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> };

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export class FaultCluster {
  /** Exits nobody asked for, other than the known driver crash: each fails the run. */
  readonly unexpectedExits: string[] = [];
  /** Exits from the known postgres.js defect (see knownDriverCrash). */
  readonly driverCrashes: string[] = [];
  private children: Child[] = [];
  private current = new Map<string, Child>();
  private generation = new Map<string, number>();
  private db: EmbeddedDatabase | undefined;
  private dbUp = false;
  private stopping = false;
  private readonly dataDir: string;
  /** Process groups we started, so a run that was itself SIGKILLed leaves nothing behind for the next one. */
  private readonly pidFile: string;
  webPort = 0;

  constructor(private readonly opts: { pgName: string; pgPort: number; database: string; logDir: string }) {
    this.dataDir = resolveDataDir(opts.pgName);
    this.pidFile = `${this.dataDir}.children`;
    killLeftovers(this.pidFile);
    rmSync(opts.logDir, { recursive: true, force: true });
    mkdirSync(opts.logDir, { recursive: true });
  }

  get databaseUrl(): string {
    if (!this.db) throw new Error("the database is not started");
    return this.db.url;
  }

  get webUrl(): string {
    return `http://127.0.0.1:${this.webPort}`;
  }

  /** Starts the private Postgres; the first start stops a server a killed earlier run left behind and drops the database. */
  async startDatabase(fresh = false): Promise<void> {
    if (fresh && stopLeftover(this.dataDir)) {
      const until = Date.now() + 20_000;
      while (existsSync(path.join(this.dataDir, "postmaster.pid")) && Date.now() < until) await sleep(100);
    }
    this.db = await startEmbeddedDatabase({ name: this.opts.pgName, port: this.opts.pgPort, database: this.opts.database, fresh });
    if (this.db.reused) throw new Error(`a Postgres in ${this.dataDir} is still running and was reused: it cannot be stopped by this run`);
    this.dbUp = true;
  }

  /** A clean Postgres shutdown (SIGINT, "fast": open connections are cut). */
  async stopDatabase(): Promise<void> {
    this.dbUp = false;
    await this.db?.stop();
  }

  /** Starts the slot's next process: "web" is `next start`, any other slot a runtime worker (what `npm run worker` runs). */
  async start(slot: string): Promise<string> {
    const n = (this.generation.get(slot) ?? 0) + 1;
    this.generation.set(slot, n);
    const name = `${slot}-${n}`;
    const env = { ...process.env, DATABASE_URL: this.databaseUrl, NODE_ENV: "production" as const, NEXT_TELEMETRY_DISABLED: "1" };
    if (slot === "web") {
      this.webPort ||= await freePort();
      this.spawnChild(slot, name, path.join(root, "node_modules/.bin/next"), ["start", "-H", "127.0.0.1", "-p", String(this.webPort)], env);
    } else {
      this.spawnChild(slot, name, process.execPath, [...cpuProfileFlags(), "--import", "tsx", path.join(root, "scripts/worker.ts")], env);
    }
    return name;
  }

  private spawnChild(slot: string, name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): void {
    const file = path.join(this.opts.logDir, `${name}.log`);
    const log = createWriteStream(file);
    const proc = spawn(cmd, args, { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    if (proc.pid !== undefined) appendFileSync(this.pidFile, `${proc.pid}\n`);
    proc.stdout?.pipe(log);
    proc.stderr?.pipe(log);
    const child: Child = {
      name,
      slot,
      proc,
      expected: false,
      exited: new Promise((resolve) =>
        proc.once("close", (code, signal) => {
          if (!child.expected && !this.stopping) void this.restartAfterCrash(child, file, code, signal);
          resolve({ code, signal });
        }),
      ),
    };
    this.children.push(child);
    this.current.set(slot, child);
  }

  private async restartAfterCrash(child: Child, file: string, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    await sleep(300); // the last lines of its log are still on their way to the file
    const text = existsSync(file) ? readFileSync(file, "utf8") : "";
    const line = `${child.name} exited on its own (code ${code}, signal ${signal}); see ${path.relative(root, file)}`;
    (knownDriverCrash.test(text) ? this.driverCrashes : this.unexpectedExits).push(line);
    while (!this.dbUp && !this.stopping) await sleep(200);
    await sleep(500);
    if (!this.stopping && this.current.get(child.slot) === child) await this.start(child.slot);
  }

  /** Until the web server answers HTTP at all (an unauthenticated API call: 401). */
  async waitForWeb(timeoutMs = 60_000): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      try {
        await fetch(`${this.webUrl}/api/v1/customers/ready`, { signal: AbortSignal.timeout(2_000) });
        return Date.now() - started;
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`the web server did not answer within ${timeoutMs / 1000} s`);
  }

  /** Until the slot's worker says it runs (it migrates and takes its leases first). */
  async waitForWorker(slot: string, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const child = this.current.get(slot);
      const file = child && path.join(this.opts.logDir, `${child.name}.log`);
      if (file && existsSync(file) && readFileSync(file, "utf8").includes("running")) return;
      await sleep(100);
    }
    throw new Error(`no worker of ${slot} started within ${timeoutMs / 1000} s; see ${this.opts.logDir}`);
  }

  /** SIGKILL the slot's process group: no handler runs, nothing is flushed. */
  async kill(slot: string): Promise<string> {
    const child = this.current.get(slot);
    if (!child) throw new Error(`nothing runs in ${slot}`);
    child.expected = true;
    signalGroup(child.proc, "SIGKILL");
    await child.exited;
    return child.name;
  }

  /** SIGTERM every live worker and wait (bounded): name → exit code, or null if it had to be killed. */
  async stopWorkers(timeoutMs = 15_000): Promise<Map<string, number | null>> {
    this.stopping = true;
    const live = this.children.filter((c) => c.slot !== "web" && c.proc.exitCode === null && c.proc.signalCode === null);
    const codes = new Map<string, number | null>();
    await Promise.all(
      live.map(async (c) => {
        c.expected = true;
        signalGroup(c.proc, "SIGTERM");
        const res = await Promise.race([c.exited, sleep(timeoutMs).then(() => null)]);
        if (res === null) signalGroup(c.proc, "SIGKILL");
        codes.set(c.name, res === null ? null : res.code);
      }),
    );
    return codes;
  }

  /** Everything down: children killed, Postgres stopped. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const c of this.children) {
      c.expected = true;
      signalGroup(c.proc, "SIGKILL");
    }
    await Promise.all(this.children.map((c) => c.exited));
    this.dbUp = false;
    await this.db?.stop().catch(() => undefined);
    this.db = undefined;
    rmSync(this.pidFile, { force: true });
  }

  /** For process exit: synchronous, kills children and asks Postgres to stop. */
  killAllNow(): void {
    this.stopping = true;
    for (const c of this.children) signalGroup(c.proc, "SIGKILL");
    stopLeftover(this.dataDir);
    rmSync(this.pidFile, { force: true });
  }
}

/** Kills the process groups a killed earlier run left running (only if they still run our web server or worker). */
function killLeftovers(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  for (const pid of readFileSync(pidFile, "utf8").split("\n").map(Number).filter((n) => n > 0)) {
    const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, "utf8") : "";
    if (/next|scripts\/worker\.ts/.test(cmdline)) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
  }
  rmSync(pidFile, { force: true });
}

function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    // The whole group, even when its leader is gone: `next start` may leave a forked server behind.
    process.kill(-proc.pid, signal);
  } catch {
    // already gone
  }
}

/** WAYMARK_CPU_PROF=<folder>: the workers (and bench:e2e's ingestion listener) write V8 CPU profiles there when they exit (node refuses --cpu-prof in NODE_OPTIONS). */
export function cpuProfileFlags(): string[] {
  const dir = process.env.WAYMARK_CPU_PROF;
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(dir)}`] : [];
}
