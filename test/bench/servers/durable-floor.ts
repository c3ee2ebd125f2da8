import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { VENDOR_REGISTRY } from '@learnhook/core';
import { createGroupCommit } from '@learnhook/core/testing';

/**
 * Row 2's floor: the least any receiver must do to acknowledge a signed webhook durably, and
 * nothing more. node:http reads the body, Learn365's own signature check (the hub's) verifies it,
 * and one row (headers and body) goes into SQLite through the hub's group commit (WAL,
 * synchronous=FULL, one fsync per turn of the event loop) before the 202. No mapping, no events,
 * no indexes, no express. What the hub adds beyond this is its own cost; what this costs beyond
 * row 1 is the disk's and the signature's. Prints "listening on http://127.0.0.1:PORT"; stops on SIGTERM.
 */
const secret = process.env.FLOOR_SECRET ?? 'a-learn365-secret-of-32-characters-or-more';
const db = new DatabaseSync(path.join(mkdtempSync(path.join(os.tmpdir(), 'learnhook-floor-')), 'floor.sqlite'));
db.exec('PRAGMA journal_mode = WAL');
db.exec('PRAGMA synchronous = FULL');
db.exec('PRAGMA temp_store = MEMORY'); // as the hub's store (sqlite-database.ts)
db.exec('CREATE TABLE requests (seq INTEGER PRIMARY KEY, headers TEXT NOT NULL, body BLOB NOT NULL, received_at INTEGER NOT NULL)');
const insert = db.prepare('INSERT INTO requests (headers, body, received_at) VALUES (?, ?, ?)');
const commits = createGroupCommit(db);

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const headers = request.headers as Record<string, string | undefined>;
    try {
      VENDOR_REGISTRY.learn365.inbound.verify({ method: 'POST', route: 'webhook', headers, query: {}, body, receivedAt: new Date() }, { secret });
    } catch {
      response.writeHead(401).end();
      return;
    }
    commits
      .write(() => insert.run(JSON.stringify(headers), body, Date.now()))
      .then(() => {
        response.writeHead(202, { 'content-type': 'application/json' });
        response.end('{"accepted":1}');
      })
      .catch(() => response.writeHead(503).end());
  });
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => {
  server.close(() => {
    commits.close();
    db.close();
    process.exit(0);
  });
  server.closeAllConnections();
});
