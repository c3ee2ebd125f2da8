/**
 * V8 flags the hub runs with (`npm start`, the sandbox server, the benchmarks and the process
 * tests). Node 24 lets the young generation grow to 64 MB on a machine with enough memory; under
 * ingest or a backlog drain (many short-lived objects per event) the hub's RSS then peaked at
 * 400+ MB for a live heap of about 60 MB (issue 8, row 6: 20,000-event backlog, heap snapshot).
 * 4 MB semi-spaces kept the peak near 250 MB with no measurable change in ingest throughput.
 * 8 MB (tried in issue 18) saved 7-9 % of the hub's CPU per event while it ingests and delivers
 * (fewer scavenges), but row 6's quick peak rose from 268-278 to 281-298 MB against its 300 MB
 * limit, so 4 MB stays. Either size peaks near 370 MB in about one run of row 6 in six, with the
 * main V8 heap at about 138 MB instead of 70: not explained yet (issue 18's notes).
 * A running isolate ignores these when set from code (v8.setFlagsFromString), so they go on the
 * command line; package.json, the Dockerfile and the systemd unit repeat them, and a test keeps them in step.
 */
export const HUB_NODE_FLAGS = ['--max-semi-space-size=4'] as const;
