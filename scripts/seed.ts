import { createDb } from "@/db/client";
import { seedDemo } from "@/db/seed";
import { ensureDatabase } from "./db-env";

/** `npm run seed`: the demo workspace, users and journeys (idempotent). */
const { url } = await ensureDatabase("dev");
const db = createDb(url, { max: 2 });
try {
  const res = await seedDemo(db);
  console.log(`Seeded workspace "demo" (${res.journeysCreated} new journeys). Sign in as admin@demo.waymark.dev / waymark-demo`);
} finally {
  await db.$end();
}
process.exit(0);
