import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A real, small file system (tmpfs with a size limit) for tests of a full disk: writes there fail
 * with ENOSPC, and SQLite with SQLITE_FULL, as on a server whose disk filled up. Mounting needs
 * root (CI runs as root); elsewhere `mountSmallDisk` answers why it cannot, for the skip message.
 */
export interface SmallDisk {
  dir: string;
  /** Fills every free byte with a ballast file, as another program filling the disk would. */
  fill(): void;
  /** Deletes the ballast: space returns. */
  free(): void;
  unmount(): void;
}

export function mountSmallDisk(sizeBytes: number): SmallDisk | string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-small-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=1777`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    rmdirSync(dir);
    return `cannot mount a small tmpfs here (${(mounted.stderr || mounted.error?.message || `exit ${mounted.status}`).trim()}); CI runs as root, where it can`;
  }
  const ballast = path.join(dir, 'ballast');
  return {
    dir,
    fill() {
      const fd = openSync(ballast, 'a');
      const chunk = Buffer.alloc(64 * 1024);
      try {
        for (let size = chunk.length; size >= 1; size = Math.floor(size / 2)) {
          for (;;) {
            try {
              writeSync(fd, chunk, 0, size);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw error;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(ballast, { force: true });
    },
    unmount() {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
