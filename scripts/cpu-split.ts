import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";

/**
 * Where the machine's CPU goes during a bench:e2e phase, per event: each
 * process's user + system time from /proc (Linux only; elsewhere nothing is
 * reported), the bench's Postgres split by session (application_name) and its
 * background processes, the Node processes by what they run. V8 profiles
 * cannot say this: on a small VM a socket write that wakes the reader books
 * the reader's wake-up to the writer, and a profile shows only its own
 * process.
 */
export type CpuSnapshot = Map<number, { part: string; seconds: number }>;

const clockTicks = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command (which may hold spaces and parentheses): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return null; // gone
  }
}

/** The part of the system a Postgres session belongs to, by the application_name each process gives its pool. */
function sessionPart(applicationName: string): string {
  if (applicationName.startsWith("waymark-worker") || applicationName.startsWith("waymark-lease")) return "Postgres for the workers";
  if (applicationName.startsWith("waymark-ingest")) return "Postgres for the listener";
  if (applicationName.startsWith("waymark-app")) return "Postgres for the web server";
  if (applicationName.startsWith("waymark-bench")) return "Postgres for the bench";
  return "Postgres, other sessions";
}

/** What a Node process runs, from its command line (null: not part of the bench). */
function nodePart(pid: number, cmdline: string): string | null {
  if (pid === process.pid) return "load generator and receiver";
  if (cmdline.startsWith("next-server") || cmdline.includes("next/dist/bin/next")) return "web server";
  if (cmdline.includes("scripts/worker.ts")) return "workers";
  if (cmdline.includes("scripts/ingest.ts")) return "listener";
  return null;
}

export async function cpuSnapshot(db: Db): Promise<CpuSnapshot> {
  const snapshot: CpuSnapshot = new Map();
  if (!existsSync("/proc/self/stat")) return snapshot;
  const sessions = (await db.execute(sql`select pid, backend_type as "type", coalesce(application_name, '') as name from pg_stat_activity`)) as unknown as { pid: number; type: string | null; name: string }[];
  for (const s of sessions) {
    const seconds = cpuSeconds(s.pid);
    if (seconds !== null) snapshot.set(s.pid, { part: s.type === "client backend" ? sessionPart(s.name) : "Postgres background", seconds });
  }
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || snapshot.has(pid)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      continue;
    }
    const part = nodePart(pid, cmdline);
    const seconds = part ? cpuSeconds(pid) : null;
    if (part && seconds !== null) snapshot.set(pid, { part, seconds });
  }
  return snapshot;
}

/**
 * CPU milliseconds per event between two snapshots, by part, as one line. A process that started in between counts
 * whole; one that ended in between is missed (the bench's pools keep their sessions, so few do).
 */
export function cpuPerEvent(before: CpuSnapshot, after: CpuSnapshot, events: number, cores: number): string {
  if (after.size === 0 || events <= 0) return "";
  const byPart = new Map<string, number>();
  for (const [pid, { part, seconds }] of after) byPart.set(part, (byPart.get(part) ?? 0) + Math.max(0, seconds - (before.get(pid)?.seconds ?? 0)));
  const total = [...byPart.values()].reduce((a, b) => a + b, 0);
  const ms = (seconds: number) => ((seconds * 1000) / events).toFixed(2);
  // Parts under 0.005 ms per event (idle ones) are left out.
  const parts = [...byPart].filter(([, s]) => (s * 1000) / events >= 0.005).sort((a, b) => b[1] - a[1]);
  const ceiling = Math.round((cores * events) / total);
  return `CPU per event ${ms(total)} ms: ${parts.map(([part, s]) => `${part} ${ms(s)}`).join(", ")} (at this cost ${cores} cores carry at most ${ceiling.toLocaleString("en")} events/s)`;
}
