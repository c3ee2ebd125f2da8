/**
 * Vendors write the same name in several ways ("InProgress", "In Progress", "IN_PROGRESS") and
 * some send a code for it (1): their tables are keyed by the name lower-cased with only its letters
 * and digits, and read with lookupName.
 */

/** A vendor's name or code as its tables key it: lower case, letters and digits only. */
export function normaliseName(value: string | number): string {
  return String(value)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** The entry for a name in a table keyed by normalised names; null for no name or an unknown one (never Object.prototype's members). */
export function lookupName<T>(table: Readonly<Record<string, T>>, value: string | number | null | undefined): T | null {
  if (value === null || value === undefined || value === '') return null;
  const key = normaliseName(value);
  return Object.hasOwn(table, key) ? (table[key] ?? null) : null;
}
