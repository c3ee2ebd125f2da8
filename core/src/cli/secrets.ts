import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { CliError } from '../errors.ts';
import { openStore } from '../store/open-store.ts';
import { createSecretBox, type SecretBox } from '../store/secret-box.ts';
import { beginKeyFileRotation, finishKeyFileRotation, KEY_FILE, keyFiles, keyringFor, PREVIOUS_KEY_FILE } from '../store/secret-keys.ts';
import { resealSecrets, type SecretSurvey, surveySecrets } from '../store/secret-rotation.ts';
import type { Store } from '../store/store.ts';

export const SECRETS_USAGE = `Usage: learnhook secrets <rotate|status> [options]

  learnhook secrets rotate [--batch-size N]
      Re-seals every stored secret (connection secrets, LMS API credentials, hook signing
      secrets) with a new key, N rows at a time (default 100), while hubs keep running.
      If it stops, run it again: it goes on where it was.
        With LEARNHOOK_SECRET_KEY (always on PostgreSQL): run it with the environment every hub
        process has by then, the new key in LEARNHOOK_SECRET_KEY and the old one in
        LEARNHOOK_SECRET_KEY_PREVIOUS; then drop LEARNHOOK_SECRET_KEY_PREVIOUS and restart them.
        On the embedded store with its generated secret.key: makes the new key itself and keeps
        the old one in secret.key.previous until every secret is re-sealed; the running hub
        follows without a restart.
      The steps, with several processes: README, "Rotating the secret key".
  learnhook secrets status
      Counts the stored secrets by the key they need; changes nothing.

Works on the store the hub uses (DATABASE_URL, else LEARNHOOK_DATA), also while hubs run.
Never prints a key or a secret: keys are named by their id, a hash prefix.
`;

const MAX_ROUNDS = 3;

/** Where this run's keys come from, for the messages. */
interface KeySource {
  box: SecretBox;
  /** Where the key that seals is set. */
  current: string;
  /** Where the old key is set, or null when none is. */
  previous: string | null;
  /** What to set when a secret opens with none of the keys. */
  fixUnreadable: string;
}

function envSource(config: Config): KeySource {
  const keyring = keyringFor(config, '');
  if (typeof keyring === 'function') throw new Error('unreachable: LEARNHOOK_SECRET_KEY is set');
  const box = createSecretBox(keyring);
  if (keyring.others.some((key) => key.equals(keyring.current))) {
    throw new CliError(
      'LEARNHOOK_SECRET_KEY_PREVIOUS holds the same key as LEARNHOOK_SECRET_KEY: put the new key in LEARNHOOK_SECRET_KEY and the old one in LEARNHOOK_SECRET_KEY_PREVIOUS.',
    );
  }
  return {
    box,
    current: 'LEARNHOOK_SECRET_KEY',
    previous: config.LEARNHOOK_SECRET_KEY_PREVIOUS ? 'LEARNHOOK_SECRET_KEY_PREVIOUS' : null,
    fixUnreadable: 'Set LEARNHOOK_SECRET_KEY_PREVIOUS to the key they were sealed with (the one the hubs used before) and run again.',
  };
}

function fileSource(dataDir: string): KeySource {
  return {
    box: createSecretBox(() => keyFiles(dataDir)),
    current: path.join(dataDir, KEY_FILE),
    previous: existsSync(path.join(dataDir, PREVIOUS_KEY_FILE)) ? path.join(dataDir, PREVIOUS_KEY_FILE) : null,
    fixUnreadable: `Were they sealed on another machine? Set LEARNHOOK_SECRET_KEY to the key in ${path.join(dataDir, KEY_FILE)} and LEARNHOOK_SECRET_KEY_PREVIOUS to the key they were sealed with, and run again.`,
  };
}

function refuseUnreadable(survey: SecretSurvey, source: KeySource): void {
  if (survey.unreadable.length === 0) return;
  const named = survey.unreadable
    .slice(0, 5)
    .map(({ column, id }) => `${column} of ${id}`)
    .join(', ');
  const more = survey.unreadable.length > 5 ? ` and ${survey.unreadable.length - 5} more` : '';
  const keys = source.previous ? `${source.current} nor ${source.previous}` : source.current;
  throw new CliError(
    `Refusing to rotate: ${survey.unreadable.length} stored secret(s) open with neither ${keys} (${named}${more}). ${source.fixUnreadable} Nothing was changed.`,
  );
}

function describe(survey: SecretSurvey): string {
  return `${survey.total} stored secret(s): ${survey.current} sealed with the current key, ${survey.stale} with an older key or format, ${survey.unreadable.length} with a key not given`;
}

async function withStore<T>(config: Config, run: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config, { owner: false });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

async function rotate(config: Config, source: () => KeySource, batchSize: number, out: (text: string) => void, files: string | null): Promise<number> {
  return withStore(config, async (store) => {
    // Checked with the keys as they are, before a key file is touched: a refusal changes nothing.
    refuseUnreadable(await surveySecrets(store, source().box, batchSize), source());
    if (files) {
      const how = beginKeyFileRotation(files);
      out(
        how === 'started'
          ? `New key written to ${path.join(files, KEY_FILE)}; the old one is kept in ${PREVIOUS_KEY_FILE} until this finishes.\n`
          : 'Going on with the rotation that stopped before (same new key).\n',
      );
    }
    const { box, current, previous } = source();
    let resealed = 0;
    for (let round = 1; ; round++) {
      const survey = await surveySecrets(store, box, batchSize);
      refuseUnreadable(survey, source());
      if (survey.stale === 0) break;
      if (round > MAX_ROUNDS) {
        throw new CliError(
          `${survey.stale} stored secret(s) were sealed again with an older key while this ran: a hub process still seals with it (its LEARNHOOK_SECRET_KEY is the old key, or it has LEARNHOOK_SECRET_KEY_NEXT). Restart every process with LEARNHOOK_SECRET_KEY=<new key> and LEARNHOOK_SECRET_KEY_PREVIOUS=<old key>, then run this again.`,
        );
      }
      out(`Re-sealing ${survey.stale} of ${survey.total} stored secret(s) with ${current} (key id ${box.currentKeyId()}), ${batchSize} rows at a time ...\n`);
      resealed += survey.stale;
      await resealSecrets({
        store,
        box,
        batchSize,
        onBatch: (progress) => out(`  ${progress.column}: ${progress.resealed} re-sealed of ${progress.read} read\n`),
      });
    }
    if (files) {
      finishKeyFileRotation(files);
      out(
        `Done: every stored secret is sealed with the new key in ${path.join(files, KEY_FILE)} (key id ${box.currentKeyId()}); the old key file is removed. Back up the new key file with the data.\n`,
      );
    } else {
      const state = resealed > 0 ? 'Done: every stored secret is sealed' : 'Nothing to re-seal: every stored secret is already sealed';
      const next = previous
        ? ` Now remove ${previous} from every hub process and restart them one at a time.`
        : resealed > 0
          ? ''
          : ' To rotate, give the new key in LEARNHOOK_SECRET_KEY and the old one in LEARNHOOK_SECRET_KEY_PREVIOUS.';
      out(`${state} with ${current} (key id ${box.currentKeyId()}).${next}\n`);
    }
    return 0;
  });
}

/** `learnhook secrets ...`: answers the exit code; writes what a person reads to `out`. */
export async function runSecrets(args: string[], config: Config, out: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'batch-size': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [action] = positionals;
  if (values.help || !action) {
    out(SECRETS_USAGE);
    return values.help ? 0 : 2;
  }
  const batchSize = Number(values['batch-size'] ?? 100);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new CliError('--batch-size must be a whole number from 1 to 10000.');
  // Without LEARNHOOK_SECRET_KEY the keys are the files beside the embedded store's data file.
  const files = config.LEARNHOOK_SECRET_KEY ? null : path.dirname(path.resolve(config.LEARNHOOK_DATA));
  if (files && !existsSync(path.resolve(config.LEARNHOOK_DATA))) {
    throw new CliError(
      `There is no store at ${path.resolve(config.LEARNHOOK_DATA)}: set LEARNHOOK_DATA to the hub's data file (or DATABASE_URL and LEARNHOOK_SECRET_KEY).`,
    );
  }
  if (files && !existsSync(path.join(files, KEY_FILE))) {
    throw new CliError(
      `There is no ${KEY_FILE} beside ${path.resolve(config.LEARNHOOK_DATA)}, and LEARNHOOK_SECRET_KEY is not set: give the key the hub uses in LEARNHOOK_SECRET_KEY.`,
    );
  }
  const source = () => (files ? fileSource(files) : envSource(config));
  switch (action) {
    case 'rotate':
      if (config.LEARNHOOK_SECRET_KEY_NEXT) {
        throw new CliError(
          'LEARNHOOK_SECRET_KEY_NEXT is set: this environment still seals with the old key. Restart every hub process with LEARNHOOK_SECRET_KEY=<new key> and LEARNHOOK_SECRET_KEY_PREVIOUS=<old key>, then run this with the same two settings.',
        );
      }
      return rotate(config, source, batchSize, out, files);
    case 'status':
      return withStore(config, async (store) => {
        const { box, current } = source();
        out(`The key that seals: ${current} (key id ${box.currentKeyId()}).\n${describe(await surveySecrets(store, box, batchSize))}.\n`);
        return 0;
      });
    default:
      throw new CliError(`Unknown action "${action}": learnhook secrets rotate | status (learnhook secrets --help).`);
  }
}
