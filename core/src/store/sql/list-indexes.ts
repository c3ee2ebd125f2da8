import { type Dialect, jsonText } from './dialect.ts';

/** The learner's email in an event's body (any case): this migration's expression index, and the embedded store's backfill of the column that replaced it (learner-email.ts). */
export const learnerEmailKey = (dialect: Dialect): string => `lower(${jsonText(dialect, 'body', ['learner', 'email'])})`;

/**
 * Migration (issue 17 §8, bench row 12): lists filtered on a subscription or a learner read only
 * their own rows. Without them, /v1/deliveries?hook_id= walked the deliveries newest first until it
 * had a page of the hook's (the console's subscription page asks for 500), the whole table for a
 * filtered subscription, and ?learner_email= read every event's body.
 *
 * PostgreSQL gets the hook index only: an index over `body::jsonb` would make the insert of an event
 * whose JSON holds a \u0000 escape fail (jsonb refuses it), turning a filter that cannot read that
 * event into an event lost at ingest.
 *
 * The learner index here was replaced by a column written once at fan-out (learner-email.ts):
 * computing this expression and its index entry cost every ingest.
 */
export function listIndexes(dialect: Dialect): string {
  const byHook = 'CREATE INDEX deliveries_by_hook ON deliveries (hook_id, seq);';
  if (dialect === 'postgres') return byHook;
  return `${byHook}
  CREATE INDEX events_by_learner_email ON events ((${learnerEmailKey(dialect)}), seq);`;
}
