import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createSecretBox, keyIdOf, type SecretBox } from '../store/secret-box.ts';
import { beginKeyFileRotation } from '../store/secret-keys.ts';
import { resealSecrets, surveySecrets } from '../store/secret-rotation.ts';
import { SEALED_COLUMNS, type Store } from '../store/store.ts';
import { runCli } from '../testing/cli.ts';
import { type AlmConnection, type Api, apiAt, connectAlm, sendCompletion, verifySigned } from '../testing/hub-api.ts';
import { dropSchema, postgresUnavailable, TEST_DATABASE_URL, testSchemaName } from '../testing/postgres.ts';
import { type Receiver, receiverForTest } from '../testing/recording-server.ts';
import { startTestHub, type TestHub } from '../testing/test-hub.ts';
import { eventually } from '../testing/wait.ts';
import { SECRETS_USAGE } from './secrets.ts';

/**
 * `learnhook secrets rotate` (issue 17 §3) as a person runs it: its own process, beside hubs that
 * keep taking LMS requests over loopback HTTP and delivering signed events the whole time.
 */

const pgUnavailable = await postgresUnavailable();
if (pgUnavailable) console.warn(`SKIPPED the PostgreSQL secret rotation tests: ${pgUnavailable}`);

const b64 = (key: Buffer) => key.toString('base64');
const keyFile = (dir: string, name = 'secret.key') => Buffer.from(readFileSync(path.join(dir, name), 'utf8').trim(), 'base64');

async function hubForTest(env: Record<string, string> = {}, dataDir?: string): Promise<TestHub> {
  const hub = await startTestHub(env, dataDir);
  let closed = false;
  onTestFinished(async () => {
    if (!closed) await hub.close();
  });
  return {
    ...hub,
    close: async () => {
      closed = true;
      await hub.close();
    },
  };
}

/** Every sealed value in the store. */
async function sealedValues(store: Store): Promise<string[]> {
  const values: string[] = [];
  for (const column of SEALED_COLUMNS) values.push(...(await store.sealedValues(column, null, 10_000)).map((row) => row.sealed));
  return values;
}

/** A hook per path, each with its own secret, on one connection: which secret signed a delivery is told by the path it came to. */
async function hooksOn(api: Api, receiver: Receiver, connection: AlmConnection, count: number): Promise<Map<string, string>> {
  const secrets = new Map<string, string>();
  for (let n = 0; n < count; n++) {
    const { status, body } = await api('POST', '/v1/hooks', { url: `${receiver.url}/hook-${n}`, events: ['*'], filter: { connection: connection.name } });
    expect(status).toBe(201);
    secrets.set(`/hook-${n}`, body.secret);
  }
  return secrets;
}

/** Sends completions to the hubs in turn until `until` settles; answers how many each hub took (202 each, or the test fails). */
async function ingestDuring(hubs: Array<{ url: string; connection: AlmConnection }>, until: Promise<unknown>, first: number): Promise<number> {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  let n = first;
  do {
    for (const hub of hubs) {
      const { status } = await sendCompletion(hub.url, hub.connection, n++);
      expect(status).toBe(202);
    }
  } while (!done);
  return n - first;
}

/** Every request the receiver got verifies with the secret of the hook it was addressed to. */
function expectSignedByTheirHooks(receiver: Receiver, secrets: Map<string, string>): void {
  for (const request of receiver.received) {
    const secret = secrets.get(request.url ?? '');
    if (!secret) throw new Error(`a delivery came to ${request.url}, which no hook targets`);
    expect(() => verifySigned(secret, request)).not.toThrow();
  }
}

function expectOnlyOpenedBy(values: string[], key: Buffer, retired: SecretBox): void {
  expect(values.length).toBeGreaterThan(0);
  for (const value of values) {
    expect(value.startsWith(`v2.${keyIdOf(key)}.`)).toBe(true);
    expect(() => createSecretBox(key).open(value)).not.toThrow();
    expect(() => retired.open(value)).toThrow(/could not be decrypted/);
  }
}

describe('learnhook secrets', () => {
  it('prints its help and exits 0 on --help', async () => {
    const run = await runCli(['secrets', '--help']);
    expect(run).toMatchObject({ code: 0, stdout: SECRETS_USAGE });
    expect(SECRETS_USAGE).toContain('learnhook secrets rotate');
  });

  it("rotates the embedded store's generated key under a running hub, which keeps ingesting and delivering with each hook's own secret", async () => {
    const hub = await hubForTest();
    const api = apiAt(() => hub.url);
    const receiver = await receiverForTest();
    const connection = await connectAlm(api, 'alm');
    const secrets = await hooksOn(api, receiver, connection, 3);
    const oldKey = keyFile(hub.dataDir);

    const rotation = runCli(['secrets', 'rotate', '--batch-size', '1'], { dataDir: hub.dataDir });
    const sent = await ingestDuring([{ url: hub.url, connection }], rotation, 1);
    const { code, stdout, stderr } = await rotation;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Re-sealing 5 of 5 stored secret\(s\)/);
    expect(stdout).toContain('connections.token_enc: 1 re-sealed of 1 read');
    expect(stdout).toMatch(/Done: every stored secret is sealed with the new key/);

    // After: the running hub, which read only the old key at start, opens and seals with the new one.
    expect(await sendCompletion(hub.url, connection, sent + 1)).toMatchObject({ status: 202 });
    const newKey = keyFile(hub.dataDir);
    expect(newKey.equals(oldKey)).toBe(false);
    expect(existsSync(path.join(hub.dataDir, 'secret.key.previous'))).toBe(false);
    secrets.set('/hook-late', (await api('POST', '/v1/hooks', { url: `${receiver.url}/hook-late`, events: ['*'], filter: { connection: 'alm' } })).body.secret);
    expect(await sendCompletion(hub.url, connection, sent + 2)).toMatchObject({ status: 202 });
    await receiver.waitFor(3 * (sent + 2) + 1, 20_000);
    expectSignedByTheirHooks(receiver, secrets);
    expectOnlyOpenedBy(await sealedValues(hub.hub.store), newKey, createSecretBox(oldKey));
  }, 60_000);

  it('finishes a rotation that stopped part way with the key it had already made', async () => {
    const hub = await hubForTest();
    const api = apiAt(() => hub.url);
    const receiver = await receiverForTest();
    const connection = await connectAlm(api, 'alm');
    const secrets = await hooksOn(api, receiver, connection, 2);
    const oldKey = keyFile(hub.dataDir);
    // As a run killed after its first batch leaves it: the new key written, the old one kept, one value re-sealed.
    beginKeyFileRotation(hub.dataDir);
    const newKey = keyFile(hub.dataDir);
    const interrupted = new Error('killed');
    await expect(
      resealSecrets({
        store: hub.hub.store,
        box: createSecretBox({ current: newKey, others: [oldKey] }),
        batchSize: 1,
        onBatch: () => {
          throw interrupted;
        },
      }),
    ).rejects.toBe(interrupted);
    expect(await sendCompletion(hub.url, connection, 1)).toMatchObject({ status: 202 });

    const { code, stdout } = await runCli(['secrets', 'rotate'], { dataDir: hub.dataDir });
    expect(code).toBe(0);
    expect(stdout).toContain('Going on with the rotation that stopped before');
    expect(stdout).toMatch(/Re-sealing 3 of 4/);
    expect(keyFile(hub.dataDir).equals(newKey)).toBe(true);
    expectOnlyOpenedBy(await sealedValues(hub.hub.store), newKey, createSecretBox(oldKey));
    expect(await sendCompletion(hub.url, connection, 2)).toMatchObject({ status: 202 });
    await receiver.waitFor(4);
    expectSignedByTheirHooks(receiver, secrets);
  }, 60_000);

  it('refuses, changing nothing, while stored secrets open with none of the keys given, and says which variable to set', async () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const hub = await hubForTest({ LEARNHOOK_SECRET_KEY: b64(oldKey) });
    await connectAlm(
      apiAt(() => hub.url),
      'alm',
    );
    await hub.close();
    const before = await runCli(['secrets', 'status'], { dataDir: hub.dataDir, env: { LEARNHOOK_SECRET_KEY: b64(oldKey) } });
    expect(before.stdout).toContain('2 stored secret(s): 2 sealed with the current key');

    const refused = await runCli(['secrets', 'rotate'], { dataDir: hub.dataDir, env: { LEARNHOOK_SECRET_KEY: b64(newKey) } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Refusing to rotate: 2 stored secret\(s\) open with neither LEARNHOOK_SECRET_KEY \(connections\.token_enc of con_/);
    expect(refused.stderr).toMatch(/Set LEARNHOOK_SECRET_KEY_PREVIOUS to the key they were sealed with .* Nothing was changed\./);
    expect(refused.stderr).not.toContain(b64(oldKey));
    expect((await runCli(['secrets', 'status'], { dataDir: hub.dataDir, env: { LEARNHOOK_SECRET_KEY: b64(oldKey) } })).stdout).toBe(before.stdout);

    const both = { LEARNHOOK_SECRET_KEY: b64(newKey), LEARNHOOK_SECRET_KEY_PREVIOUS: b64(oldKey) };
    const rotated = await runCli(['secrets', 'rotate'], { dataDir: hub.dataDir, env: both });
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain('Now remove LEARNHOOK_SECRET_KEY_PREVIOUS from every hub process and restart them one at a time.');
    const again = await runCli(['secrets', 'rotate'], { dataDir: hub.dataDir, env: both });
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toMatch(/^Nothing to re-seal: every stored secret is already sealed with LEARNHOOK_SECRET_KEY/);
    const restarted = await hubForTest({ LEARNHOOK_SECRET_KEY: b64(newKey) }, hub.dataDir);
    const { body } = await restarted.api('GET', '/v1/connections/alm');
    expect(await sendCompletion(restarted.url, { name: 'alm', ingestPath: new URL(body.ingest_url).pathname, inbound: body.inbound }, 1)).toMatchObject({
      status: 202,
    });
  }, 60_000);

  it('names the variable when a key is missing, malformed or set for the wrong step', async () => {
    const key = b64(randomBytes(32));
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, /LEARNHOOK_SECRET_KEY: must be set when DATABASE_URL is set/],
      [{ LEARNHOOK_SECRET_KEY_PREVIOUS: key }, /LEARNHOOK_SECRET_KEY_PREVIOUS: needs LEARNHOOK_SECRET_KEY beside it/],
      [{ LEARNHOOK_SECRET_KEY: key, LEARNHOOK_SECRET_KEY_PREVIOUS: 'not-a-key' }, /LEARNHOOK_SECRET_KEY_PREVIOUS must be base64 of exactly 32 bytes/],
      [{ LEARNHOOK_SECRET_KEY: key, LEARNHOOK_SECRET_KEY_PREVIOUS: key }, /LEARNHOOK_SECRET_KEY_PREVIOUS holds the same key as LEARNHOOK_SECRET_KEY/],
      [
        { LEARNHOOK_SECRET_KEY: key, LEARNHOOK_SECRET_KEY_NEXT: b64(randomBytes(32)) },
        /LEARNHOOK_SECRET_KEY_NEXT is set: this environment still seals with the old key/,
      ],
      [{}, /There is no store at .*learnhook\.db: set LEARNHOOK_DATA/],
    ];
    for (const [env, message] of cases) {
      const { code, stderr } = await runCli(['secrets', 'rotate'], { env });
      expect({ env, code, stderr }).toEqual({ env, code: 1, stderr: expect.stringMatching(message) });
    }
    await expect(startTestHub({ LEARNHOOK_SECRET_KEY: key, LEARNHOOK_SECRET_KEY_PREVIOUS: 'c2hvcnQ=' })).rejects.toThrow(
      /LEARNHOOK_SECRET_KEY_PREVIOUS must be base64/,
    );
  }, 60_000);

  (pgUnavailable ? it.skip : it)(
    'rotates on PostgreSQL while two hub processes keep ingesting and delivering, through every step of the README',
    async () => {
      const schema = testSchemaName('lh_secrets');
      onTestFinished(() => dropSchema(schema));
      const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
      const database = { DATABASE_URL: `${TEST_DATABASE_URL}?schema=${schema}` };
      const receiver = await receiverForTest();

      const first = await hubForTest({ ...database, LEARNHOOK_SECRET_KEY: b64(oldKey) });
      const before = await connectAlm(
        apiAt(() => first.url),
        'before',
      );
      const secrets = await hooksOn(
        apiAt(() => first.url),
        receiver,
        before,
        2,
      );
      await first.close();

      // Step 1, halfway through the restarts: one process still seals with the old key (the new one only opens),
      // the other already seals with the new key. Each opens what the other sealed.
      const a = await hubForTest({ ...database, LEARNHOOK_SECRET_KEY: b64(oldKey), LEARNHOOK_SECRET_KEY_NEXT: b64(newKey) });
      const b = await hubForTest({ ...database, LEARNHOOK_SECRET_KEY: b64(newKey), LEARNHOOK_SECRET_KEY_PREVIOUS: b64(oldKey) });
      const onA = await connectAlm(
        apiAt(() => a.url),
        'on-a',
      );
      const onB = await connectAlm(
        apiAt(() => b.url),
        'on-b',
      );
      let n = 1;
      let toBefore = 0;
      for (const [hub, connection] of [
        [a, onB],
        [b, onA],
        [a, before],
        [b, before],
      ] as const) {
        expect(await sendCompletion(hub.url, connection, n++)).toMatchObject({ status: 202 });
        if (connection === before) toBefore++;
      }
      await a.close();

      // Step 2: both processes seal with the new key and open the old one; the rotation runs beside them.
      const a2 = await hubForTest({ ...database, LEARNHOOK_SECRET_KEY: b64(newKey), LEARNHOOK_SECRET_KEY_PREVIOUS: b64(oldKey) });
      const both = { ...database, LEARNHOOK_SECRET_KEY: b64(newKey), LEARNHOOK_SECRET_KEY_PREVIOUS: b64(oldKey) };
      const rotation = runCli(['secrets', 'rotate', '--batch-size', '1'], { env: both });
      const during = await ingestDuring(
        [
          { url: a2.url, connection: before },
          { url: b.url, connection: before },
        ],
        rotation,
        n,
      );
      n += during;
      toBefore += during;
      const { code, stdout, stderr } = await rotation;
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toMatch(/Re-sealing \d+ of 8 stored secret\(s\)/);
      expect(await surveySecrets(a2.hub.store, createSecretBox(newKey))).toEqual({ total: 8, current: 8, stale: 0, unreadable: [] });

      // Step 3: the old key goes; a process with only the new key opens everything.
      await a2.close();
      await b.close();
      const c = await hubForTest({ ...database, LEARNHOOK_SECRET_KEY: b64(newKey) });
      for (const connection of [before, onA, onB]) expect(await sendCompletion(c.url, connection, n++)).toMatchObject({ status: 202 });
      const expected = 2 * (toBefore + 1);
      await eventually(async () => receiver.received.length >= expected, 30_000, `${expected} deliveries`);
      // Only events of "before" reach the hooks; each came signed with its own hook's secret.
      expectSignedByTheirHooks(receiver, secrets);
      expectOnlyOpenedBy(await sealedValues(c.hub.store), newKey, createSecretBox(oldKey));
    },
    90_000,
  );
});
