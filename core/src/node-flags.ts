/**
 * V8 flags the hub runs with (`npm start`, the sandbox server, the benchmarks and the process
 * tests). Node 24 lets the young generation grow to 64 MB on a machine with enough memory; under
 * ingest or a backlog drain (many short-lived objects per event) the hub's RSS then peaked at
 * 400+ MB for a live heap of about 60 MB (issue 8, row 6: 20,000-event backlog, heap snapshot).
 * 4 MB semi-spaces kept the peak near 250 MB with no measurable change in ingest throughput. 8 MB
 * (issue 18) costs about 10 MB of that peak (row 6: 277 -> 287 MB with --quick, 259 -> 257 MB over
 * the full 200,000 events) and saves the hub 7-9 % of its CPU per event while it both ingests and
 * delivers (row 13's load: 2,529 -> 2,717 and 2,097 -> 2,305 events/s in paired runs), where
 * fewer scavenges pay; the full backlog drained at 7,936/s instead of 6,243/s. 16 MB passed 300 MB.
 * A running isolate ignores these when set from code (v8.setFlagsFromString), so they go on the
 * command line; package.json's start script repeats them and a test keeps the two in step.
 */
export const HUB_NODE_FLAGS = ['--max-semi-space-size=8'] as const;
