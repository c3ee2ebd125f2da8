/**
 * Canvas ids. Canvas shards its database with Switchman, whose Shard::IDS_PER_SHARD is 10^13
 * (instructure/switchman, app/models/switchman/shard.rb): each shard numbers its rows from 1, and a
 * "global" id adds the shard times 10^13 (21070000000000565 is row 565 on shard 2107). The API's
 * "Object IDs" page (doc/api/object_ids.md) describes SIS and special ids, not this form. Live
 * Events mix both forms, even within one event type's examples (course_completed names course 565;
 * enrollment_created names course 21070000000000565).
 *
 * learnhook keeps one form per object so the same learner is one id across events: an id on the
 * root account's own shard becomes its local id (as the API answers it); an id from another shard
 * (a user who belongs to another institution) stays global, since its local part alone would name
 * a different row. Global ids pass 2^53, so they are read as BigInt, never Number.
 */

const SHARD_FACTOR = 10_000_000_000_000n;

/** The shard of a global id; null for a local one (below 10^13) or text that is no id. */
export function shardOf(id: string | null | undefined): bigint | null {
  if (!id || !/^\d+$/.test(id)) return null;
  const value = BigInt(id);
  return value >= SHARD_FACTOR ? value / SHARD_FACTOR : null;
}

/** The id as learnhook keeps it: local when it is on `homeShard` (or already local), else as given. */
export function canonicalId(id: string | number | null | undefined, homeShard: bigint | null): string | null {
  if (id === null || id === undefined || id === '') return null;
  const text = String(id);
  const shard = shardOf(text);
  if (shard === null || homeShard === null || shard !== homeShard) return text;
  return String(BigInt(text) % SHARD_FACTOR);
}
