import type { SecretBox } from './secret-box.ts';
import { SEALED_COLUMNS, type SealedColumn, type Store } from './store.ts';

type SealedStore = Pick<Store, 'sealedValues' | 'resealValue'>;

/** Where the stored secrets stand against a box's keys. */
export interface SecretSurvey {
  total: number;
  /** Sealed with the box's current key, in the current format. */
  current: number;
  /** Opened by the box, but sealed with another of its keys (or in the format before key ids): what a rotation re-seals. */
  stale: number;
  /** Opened by none of the box's keys; a rotation refuses while there is any. */
  unreadable: Array<{ column: SealedColumn; id: string }>;
}

/** Rows of one sealed column, a batch at a time. */
async function* batches(store: SealedStore, column: SealedColumn, batchSize: number) {
  let after: string | null = null;
  for (;;) {
    const batch = await store.sealedValues(column, after, batchSize);
    if (batch.length === 0) return;
    yield batch;
    after = batch[batch.length - 1]?.id ?? null;
    if (batch.length < batchSize) return;
  }
}

function opens(box: SecretBox, sealed: string): boolean {
  try {
    box.open(sealed);
    return true;
  } catch {
    return false;
  }
}

/** Reads every sealed value once, in batches, and says which key it needs; changes nothing. */
export async function surveySecrets(store: SealedStore, box: SecretBox, batchSize = 500): Promise<SecretSurvey> {
  const survey: SecretSurvey = { total: 0, current: 0, stale: 0, unreadable: [] };
  for (const column of SEALED_COLUMNS) {
    for await (const batch of batches(store, column, batchSize)) {
      for (const { id, sealed } of batch) {
        survey.total++;
        if (box.isCurrent(sealed) && opens(box, sealed)) survey.current++;
        else if (opens(box, sealed)) survey.stale++;
        else survey.unreadable.push({ column, id });
      }
    }
  }
  return survey;
}

export interface ResealProgress {
  column: SealedColumn;
  /** Values of this column re-sealed so far in this pass. */
  resealed: number;
  /** Values of this column read so far. */
  read: number;
}

/**
 * Re-seals every value not sealed with the box's current key, `batchSize` rows at a time (each
 * row its own small write, so hubs sharing the store never wait on the rotation). Only values not
 * yet current are touched, so a pass that stops anywhere is finished by the next. A value a hub
 * changed meanwhile is skipped (compare-and-set) and counted in `changedMeanwhile`.
 */
export async function resealSecrets(options: {
  store: SealedStore;
  box: SecretBox;
  batchSize: number;
  onBatch?: (progress: ResealProgress) => void;
}): Promise<{ resealed: number; changedMeanwhile: number }> {
  const { store, box } = options;
  let resealed = 0;
  let changedMeanwhile = 0;
  for (const column of SEALED_COLUMNS) {
    const progress: ResealProgress = { column, resealed: 0, read: 0 };
    for await (const batch of batches(store, column, options.batchSize)) {
      for (const { id, sealed } of batch) {
        progress.read++;
        if (box.isCurrent(sealed)) continue;
        if (await store.resealValue(column, id, sealed, box.seal(box.open(sealed)))) {
          progress.resealed++;
          resealed++;
        } else {
          changedMeanwhile++;
        }
      }
      options.onBatch?.(progress);
    }
  }
  return { resealed, changedMeanwhile };
}
