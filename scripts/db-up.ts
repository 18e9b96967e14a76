import { ensureDatabase } from "./db-env";

/** `npm run db:up`: start (or reuse) the embedded dev database, migrate, and print its URL. Ctrl-C stops it. */
const { url, embedded } = await ensureDatabase("dev");
console.log(url);
if (embedded && !embedded.reused) {
  console.log("[db] running; press Ctrl-C to stop");
  process.on("SIGINT", () => void embedded.stop().then(() => process.exit(0)));
  setInterval(() => {}, 1 << 30);
}
