import { execFile } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SQLITE_MIGRATIONS as MIGRATIONS,
  ADMIN_KEY,
  eventually,
  allEventIds,
  apiAt,
  connectAlm,
  deliveriesOf,
  sendCompletions,
  subscribe,
  type Api,
} from '@learnhook/core/testing';
import { CLI, startHubProcess, type HubProcess } from '../lib/hub-process.ts';
import { report } from './report.ts';
import { startFaultyReceiver, type FaultyReceiver } from '../lib/faults-receiver.ts';

/**
 * Issue 9, scenario 6: stop a hub (SIGTERM) and start another on the same data file: hooks, API
 * keys, pending deliveries and history are intact, and what was pending goes out once the
 * receiver is back. A data file at an older schema version is migrated once, and only once.
 */

const HUB_ENV = { LEARNHOOK_API_KEY: ADMIN_KEY, LEARNHOOK_ALLOW_PRIVATE_TARGETS: 'true', LEARNHOOK_RATE_LIMIT: '10000' };

const hubs: HubProcess[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.stop('SIGKILL')));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startHub(dataDir?: string): Promise<HubProcess> {
  const hub = await startHubProcess(HUB_ENV, { dataDir });
  hubs.push(hub);
  cleanups.push(() => rmSync(hub.dataDir, { recursive: true, force: true }));
  return hub;
}

/** Stops a hub as a service manager does, and checks it shut down cleanly. */
async function stop(hub: HubProcess): Promise<void> {
  expect(await hub.stop('SIGTERM')).toBe(0);
  hubs.splice(hubs.indexOf(hub), 1);
}

async function receiver(): Promise<FaultyReceiver> {
  const started = await startFaultyReceiver();
  cleanups.push(started.close);
  return started;
}

/** `learnhook keys create` against a data folder, as an admin would; answers the key. */
async function createKey(dataDir: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'keys', 'create', ...args], {
    env: { ...process.env, LEARNHOOK_DATA: path.join(dataDir, 'learnhook.db') },
  });
  const key = stdout.split('\n')[0];
  if (!key) throw new Error(`learnhook keys create printed no key: ${stdout}`);
  return key;
}

/** What a restart must keep, as the API shows it. */
async function snapshot(api: Api) {
  const hooks = (await api('GET', '/v1/hooks?limit=100')).body.data;
  // Ingest URLs name the host that answered; the restarted hub listens on another port.
  const connections = (await api('GET', '/v1/connections?limit=100')).body.data.map((connection: { ingest_url: string }) => ({
    ...connection,
    ingest_url: new URL(connection.ingest_url).pathname,
  }));
  const events = await allEventIds(api);
  // A retry may fall due while the hub restarts: what must hold is that each delivery is still there, still owed.
  const deliveries = (await api('GET', '/v1/deliveries?limit=100')).body.data.map(
    (delivery: { id: string; event_id: string; hook_id: string; status: string }) => ({
      id: delivery.id,
      event_id: delivery.event_id,
      hook_id: delivery.hook_id,
      owed: delivery.status === 'pending' || delivery.status === 'in_flight',
    }),
  );
  return { hooks, connections, events, deliveries };
}

/**
 * Rewrites a data file as a hub at schema version 1 would have left it: version 1's tables
 * (migration 1 alone) holding this file's rows, in version 1's columns. Built from the
 * migrations themselves, so it stays a true version 1 file whatever later migrations add.
 */
function rewriteAsVersion1(file: string): void {
  const v1File = `${file}.v1`;
  const db = new DatabaseSync(v1File);
  db.exec(MIGRATIONS[0] ?? '');
  db.exec('PRAGMA user_version = 1');
  db.exec(`ATTACH DATABASE '${file}' AS current`);
  const tables = db
    .prepare(`SELECT name FROM main.sqlite_master WHERE type = 'table'`)
    .all()
    .map((row) => String(row.name));
  for (const table of tables) {
    const columns = db
      .prepare(`PRAGMA main.table_info(${table})`)
      .all()
      .map((row) => String(row.name))
      .join(', ');
    db.exec(`INSERT INTO main.${table} (${columns}) SELECT ${columns} FROM current.${table}`);
  }
  db.exec('DETACH DATABASE current');
  db.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  renameSync(v1File, file);
}

function schemaOf(file: string): { version: number; cookie: number; dueIndex: string } {
  const db = new DatabaseSync(file);
  try {
    const version = Number(db.prepare('PRAGMA user_version').get()?.user_version);
    // SQLite bumps schema_version on every schema change: a migration that ran again would show.
    const cookie = Number(db.prepare('PRAGMA schema_version').get()?.schema_version);
    const dueIndex = String(db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'deliveries_due'`).get()?.sql);
    return { version, cookie, dueIndex };
  } finally {
    db.close();
  }
}

describe('a hub restarted on the same data file', () => {
  it('keeps hooks, keys, history and pending deliveries across a SIGTERM, and sends what was pending once the receiver is back', async () => {
    const target = await receiver();
    await target.down();
    const first = await startHub();
    const api = apiAt(() => first.url);
    const connection = await connectAlm(api, 'restart');
    const created = await api('POST', '/v1/hooks', { url: `${target.url}/restart`, events: ['*'], filter: { connection: connection.name } });
    expect(created.status).toBe(201);
    const { id: paused } = await subscribe(api, `${target.url}/paused`, connection);
    expect((await api('PATCH', `/v1/hooks/${paused}`, { status: 'paused' })).status).toBe(200);
    const eventsKey = await createKey(first.dataDir, '--scope', 'events', '--label', 'restart-test');
    const eventIds = await sendCompletions(first.url, connection, 1, 20);
    // Each delivery to the live hook was tried once (refused) before the stop.
    await eventually(
      async () => (await deliveriesOf(api, created.body.id)).every((delivery) => delivery.attempts.length === 1 && delivery.status === 'pending'),
      15_000,
      'one refused attempt each',
    );
    const before = await snapshot(api);
    await stop(first);

    const second = await startHub(first.dataDir);
    const after = await snapshot(apiAt(() => second.url));
    const me = await fetch(`${second.url}/v1/me`, { headers: { authorization: `Bearer ${eventsKey}` } });
    const ingestAgain = await sendCompletions(second.url, connection, 21, 1);

    await target.up();
    await eventually(async () => eventIds.every((id) => target.delivered().has(id)), 30_000, 'the pending deliveries to go out after the restart');
    const toLive = target.arrivals.filter((arrival) => arrival.answered);
    // Signed with the secret the hook was created with: the secrets' key survived with the store. verify() throws otherwise.
    for (const arrival of toLive) {
      new Webhook(created.body.secret).verify(arrival.body, {
        'webhook-id': String(arrival.headers['webhook-id']),
        'webhook-timestamp': String(arrival.headers['webhook-timestamp']),
        'webhook-signature': String(arrival.headers['webhook-signature']),
      });
    }
    report({
      scenario: 'restart: SIGTERM and start on the same data file',
      tried: '2 hooks (one paused), a CLI-made key and 20 events pending to a down receiver; SIGTERM; a new hub process on the same folder; receiver back',
      figures: {
        hooks_kept: after.hooks.length,
        events_kept: after.events.length,
        pending_kept: after.deliveries.filter((delivery: { owed: boolean }) => delivery.owed).length,
        delivered_after_restart: eventIds.filter((id) => target.delivered().has(id)).length,
        signed_with_original_secret: toLive.length,
        lost: eventIds.filter((id) => !target.delivered().has(id)).length,
      },
    });
    expect(after).toEqual(before);
    expect(before.deliveries.filter((delivery: { owed: boolean }) => delivery.owed)).toHaveLength(40);
    expect(before.events).toHaveLength(20);
    expect(me.status).toBe(200);
    expect(ingestAgain).toHaveLength(1);
    // The paused hook's deliveries still wait: nothing went to it.
    expect(
      (
        await deliveriesOf(
          apiAt(() => second.url),
          paused,
        )
      ).map((delivery) => delivery.status),
    ).toEqual([...eventIds, ...ingestAgain].map(() => 'pending'));
  });

  it('migrates a data file written at schema version 1 once, keeping its data, and runs nothing on the next start', async () => {
    const target = await receiver();
    await target.down();
    const old = await startHub();
    const api = apiAt(() => old.url);
    const connection = await connectAlm(api, 'migrate');
    const { id: hookId } = await subscribe(api, `${target.url}/migrate`, connection);
    const eventIds = await sendCompletions(old.url, connection, 1, 10);
    await eventually(async () => (await deliveriesOf(api, hookId)).every((delivery) => delivery.attempts.length === 1), 15_000, 'one refused attempt each');
    await stop(old);

    const file = path.join(old.dataDir, 'learnhook.db');
    rewriteAsVersion1(file);
    const v1 = schemaOf(file);

    const upgraded = await startHub(old.dataDir);
    const upgradedApi = apiAt(() => upgraded.url);
    const events = await allEventIds(upgradedApi);
    const hook = await upgradedApi('GET', `/v1/hooks/${hookId}`);
    await stop(upgraded);
    const v2 = schemaOf(file);

    const again = await startHub(old.dataDir);
    await target.up();
    await eventually(async () => eventIds.every((id) => target.delivered().has(id)), 30_000, 'the pending deliveries to go out after the upgrade');
    await stop(again);
    const v2Again = schemaOf(file);

    report({
      scenario: 'restart: schema migration',
      tried: 'a data file at schema version 1 holding a hook and 10 pending deliveries, started twice by the current hub',
      figures: {
        version_before: v1.version,
        version_after: v2.version,
        schema_changes_on_second_start: v2Again.cookie - v2.cookie,
        events_kept: events.length,
        delivered_after_upgrade: target.delivered().size,
      },
    });
    expect(v1).toMatchObject({ version: 1, dueIndex: expect.stringContaining('(hook_id, status, next_attempt_at)') });
    expect(v2.version).toBe(MIGRATIONS.length);
    expect(v2.dueIndex).toContain("WHERE status IN ('pending', 'in_flight')");
    expect(v2.cookie).toBeGreaterThan(v1.cookie);
    expect(v2Again).toEqual(v2);
    expect(new Set(events)).toEqual(new Set(eventIds));
    expect(hook.status).toBe(200);
    expect(target.delivered()).toEqual(new Set(eventIds));
  });
});
