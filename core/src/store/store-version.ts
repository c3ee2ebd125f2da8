/**
 * A store written by a newer learnhook than this one: its schema has migrations this version does
 * not know, so this version could misread it or write rows the newer one does not expect. The hub
 * refuses to start on it instead (an upgrade that is rolled back must restore the backup taken
 * before it).
 */
export class NewerStoreError extends Error {
  constructor(found: number, known: number) {
    super(
      `it was written by a newer learnhook (store version ${found}; this one knows up to ${known}). Run that version or a later one, or restore a backup this version made.`,
    );
    this.name = 'NewerStoreError';
  }
}

/** Throws NewerStoreError when the store's schema version is past the migrations this version knows. */
export function refuseNewerStore(found: number, known: number): void {
  if (found > known) throw new NewerStoreError(found, known);
}
