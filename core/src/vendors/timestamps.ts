/**
 * Vendors send times as ISO strings, epoch seconds or epoch milliseconds (Adobe Learning Manager
 * mixes all three within one sample set). Everything leaves as ISO 8601 UTC, or null when unreadable.
 */
export function toIsoTimestamp(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  let date: Date;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value))) {
    const n = Number(value);
    // Epoch seconds stay below 1e11 until the year 5138; milliseconds are above it since 1973.
    date = new Date(n < 1e11 ? n * 1000 : n);
  } else if (typeof value === 'string') {
    // A time without a zone is taken as UTC, as the vendors' docs show UTC times without "Z".
    const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value);
    date = new Date(hasZone || !/T\d/.test(value) ? value : `${value}Z`);
  } else {
    return null;
  }
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
