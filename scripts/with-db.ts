import { spawn } from "node:child_process";
import { ensureDatabase, ensureDevAuthEnv } from "./db-env";

/**
 * `tsx scripts/with-db.ts <command…>`: runs a command with DATABASE_URL set to
 * a migrated test database: the real one when DATABASE_URL is already set
 * (CI), else a fresh database on the embedded test server.
 */
const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error("usage: tsx scripts/with-db.ts <command> [args…]");
  process.exit(2);
}
ensureDevAuthEnv();
const { embedded } = await ensureDatabase("test");
const bin = cmd.includes("/") ? cmd : `node_modules/.bin/${cmd}`;
const child = spawn(bin, args, { stdio: "inherit", env: process.env });
const code: number = await new Promise((resolve) => child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await embedded?.stop();
process.exit(code);
