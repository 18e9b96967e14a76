/**
 * The notification channel that wakes runtime workers: ingestion notifies it
 * after a commit with the events' partitions (a comma-separated list), and
 * anything else that makes work due now (a resumed journey's wake-ups) with
 * an empty payload, which wakes every worker. See wakesFor in worker.ts.
 */
export const wakeChannel = "waymark_events";

/**
 * The channel on which a worker says partitions may need to change hands:
 * when it joins, when it gives partitions back, and when it leaves (payload:
 * its id). Every other worker rebalances at once instead of at its next
 * periodic rebalance (up to 3 s later), so partitions are not left without a
 * worker in between: the events of half the customers waited 2.4–3 s after a
 * second worker joined (bench:e2e's latency phase).
 */
export const rebalanceChannel = "waymark_rebalance";
