import { execFileSync } from 'node:child_process';
import { ROOT } from './processes.ts';

/** The code a run measured: every row spawns its servers from the working tree, as it is when each row starts. */
export interface SourceInfo {
  commit: string;
  /** Uncommitted changes under core/ or test/bench/: what the rows measured is not that commit alone. */
  dirty: boolean;
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

export function sourceInfo(): SourceInfo | null {
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), dirty: git('status', '--porcelain', '--', 'core', 'test/bench') !== '' };
  } catch {
    // Not a git checkout (an unpacked release): nothing to say.
    return null;
  }
}

export function sourceLine(source: SourceInfo | null): string {
  if (!source) return 'not a git checkout';
  return source.dirty ? `${source.commit} with uncommitted changes under core/ or test/bench/` : source.commit;
}
