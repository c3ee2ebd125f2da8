/**
 * Splits a one-field display name the way most address books do: the first word is the first
 * name, the rest the last name ("Mary Ann Smith" -> "Mary" / "Ann Smith"; "Cher" -> "Cher" / null).
 * For LMSs that keep a single name per user (Lessonly, Learn365).
 */
export function splitFullName(name: string | null | undefined): { first_name: string | null; last_name: string | null } {
  const [first, ...rest] = name?.trim().split(/\s+/).filter(Boolean) ?? [];
  return { first_name: first ?? null, last_name: rest.length ? rest.join(' ') : null };
}
