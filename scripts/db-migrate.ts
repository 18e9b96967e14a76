import { ensureDatabase } from "./db-env";

/** `npm run db:migrate`: apply the committed migrations (ensureDatabase migrates). */
await ensureDatabase("dev");
console.error("[db] migrations applied");
process.exit(0);
