/**
 * postgres.js 3.4.9 can crash a process when a connection closes while a
 * small write is pending, e.g. the ROLLBACK it sends itself after a
 * transaction's connection died (Postgres stopping mid-batch): an uncatchable
 * TypeError from a setImmediate. Upstream: porsager/postgres#1154 and #1208,
 * fixes in open PRs #1168 and #1209. The process restarts and loses nothing
 * (its transaction rolled back), so it is reported, not failed on.
 */
export const knownDriverCrash = /TypeError: Cannot read properties of null \(reading 'write'\)\s+at Immediate\.nextWrite \([^)\n]*postgres\/src\/connection\.js/;
