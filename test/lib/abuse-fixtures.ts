import http from 'node:http';
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';

/** The seed every fuzz run uses unless FUZZ_SEED says otherwise, so CI runs are repeatable. */
const DEFAULT_SEED = 20261123;

/** fast-check settings for one fuzz property: a fixed seed (printed, so a failure can be rerun) and a bounded run count. */
export function fuzzSettings(numRuns: number): { seed: number; numRuns: number } {
  const fromEnv = process.env.FUZZ_SEED;
  const seed = fromEnv ? Number(fromEnv) : DEFAULT_SEED;
  if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not ${fromEnv}`);
  return { seed, numRuns };
}

/**
 * The row count of every table of a hub's embedded store, read through a second connection: the
 * store's own write path is what is under test, so it is not asked. WAL readers see every commit.
 */
export function storeRows(dataDir: string): Record<string, number> {
  const db = new DatabaseSync(path.join(dataDir, 'learnhook.db'), { readOnly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all();
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      const row = db.prepare(`SELECT count(*) AS n FROM "${String(name)}"`).get();
      counts[String(name)] = Number(row?.n);
    }
    return counts;
  } finally {
    db.close();
  }
}

/** Total rows across the tables, for a report figure. */
export const totalRows = (counts: Record<string, number>): number => Object.values(counts).reduce((sum, n) => sum + n, 0);

/**
 * One HTTP request sent from a chosen loopback address (all of 127.0.0.0/8 is the local host on
 * Linux), so a test can play several clients that the hub tells apart by address.
 */
export function requestFrom(
  localAddress: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { localAddress, headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** The ids of every event in a hub's embedded store, oldest first. */
export function storedEventIds(dataDir: string): string[] {
  const db = new DatabaseSync(path.join(dataDir, 'learnhook.db'), { readOnly: true });
  try {
    return db
      .prepare('SELECT id FROM events ORDER BY seq')
      .all()
      .map((row) => String(row.id));
  } finally {
    db.close();
  }
}
