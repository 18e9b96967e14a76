/**
 * The notification channel that wakes runtime workers: ingestion notifies it
 * after a commit with the events' partitions (a comma-separated list), and
 * anything else that makes work due now (a resumed journey's wake-ups) with
 * an empty payload, which wakes every worker. See wakesFor in worker.ts.
 */
export const wakeChannel = "waymark_events";
