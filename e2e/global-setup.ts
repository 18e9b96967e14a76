import { createDb } from "../db/client";
import { seedDemo } from "../db/seed";

/** Seeds the demo workspace into the e2e database before the server starts. */
export default async function globalSetup() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("e2e needs DATABASE_URL: run through `npm test` or `npm run test:e2e`, which provide one.");
  const db = createDb(url, { max: 2 });
  try {
    await seedDemo(db);
  } finally {
    await db.$end();
  }
}
