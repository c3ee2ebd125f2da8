import { defineConfig } from 'vitest/config';

/** One `vitest run` covers every workspace; `--project <name>` narrows it. */
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'core', include: ['core/src/**/*.test.ts'] } },
      { test: { name: 'zapier', include: ['zapier/src/**/*.test.ts'] } },
      { test: { name: 'n8n-node', include: ['n8n-node/{nodes,credentials}/**/*.test.mts'] } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 30_000 } },
      // Faults, bad input and abuse (issue 9): each scenario bounded in time and request count.
      { test: { name: 'reliability', include: ['test/reliability/**/*.test.ts'], testTimeout: 120_000 } },
      // The console in Debian's Chromium (issue 15); one browser per file, launched in beforeAll.
      { test: { name: 'console', include: ['test/console/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      // The deploy files (issue 19): the Dockerfile, compose files, systemd unit and Caddyfiles, checked and run without Docker.
      { test: { name: 'deploy', include: ['test/deploy/**/*.test.ts'], testTimeout: 30_000 } },
    ],
  },
});
