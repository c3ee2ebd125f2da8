import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HUB_NODE_FLAGS } from './node-flags.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const scripts = (file: string) => (JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('the hub node flags', () => {
  it('are on the command line of npm start, so the README way of running the hub gets them', () => {
    expect(scripts('package.json').start).toBe(`node ${HUB_NODE_FLAGS.join(' ')} core/src/cli.ts serve`);
  });

  it('are on the command line of npm run learnhook, which runs the sandbox', () => {
    expect(scripts('package.json').learnhook).toBe(`node ${HUB_NODE_FLAGS.join(' ')} core/src/cli.ts`);
  });

  it('are on the command line of the container image and of the systemd unit', () => {
    const text = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
    expect(text('Dockerfile')).toContain(`CMD ["node", ${HUB_NODE_FLAGS.map((flag) => `"${flag}"`).join(', ')}, "core/src/cli.ts", "serve"]`);
    expect(text('deploy/learnhook.service')).toContain(`ExecStart=/opt/learnhook/node_modules/.bin/node ${HUB_NODE_FLAGS.join(' ')} core/src/cli.ts serve`);
  });
});
