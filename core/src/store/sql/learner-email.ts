import type { CatalogEvent } from '../../catalog/index.ts';
import type { Dialect } from './dialect.ts';
import { learnerEmailKey } from './list-indexes.ts';

/**
 * The learner's email as the event list finds it (issue 17 §8, issue 18): lower-cased in a column
 * of its own, written once with the event's final envelope (completeEvent, after hydration at
 * fan-out), never at ingest. The embedded store's expression index it replaces made every ingest
 * parse the body's JSON and insert an index entry on the acknowledgement path, and every
 * completion do both again: on a store already holding 300k events of 100k learners, direct-store
 * ingest went from 8 to 11k events/s with it to 35 to 47k without (72 to 16 to 21 µs of CPU per
 * event), completion staying near 11 to 15k. An event still received has no column yet, so the
 * filter finds it once it is fanned out, seconds later; one fanned out with no email (none sent,
 * none found by hydration, or hydration failed) is never found by one.
 */
export function learnerEmailOf(event: CatalogEvent): string | null {
  return event.learner?.email?.toLowerCase() || null;
}

/** The filter: the partial index (learner_email, seq) answers it newest first. */
export const LEARNER_EMAIL_MATCHES = 'learner_email = ?';

/**
 * Migration: the column, its partial index (events without a learner, user.created or
 * course.updated, stay out of it), and the range of events stored before it, whose emails are
 * filled in the background (learner-email-backfill.ts), not here. Measured on a 100k-event store
 * (the catalog's sample bodies, 150 MB), filling them inside the migration took 3.8 to 4.2 s on
 * SQLite (every row is rewritten with its body) and 3.3 to 8.0 s on PostgreSQL (a new version of
 * every row, an entry in each of events' eight indexes): at a million events, tens of seconds of
 * start-up against issue 17 §8's 5 s, and on PostgreSQL inside the migration lock every other
 * starting process waits on. This migration took 0.2 to 0.4 s (SQLite) and 0.45 to 0.95 s
 * (PostgreSQL) at 100k: a nullable column rewrites nothing, and building the index reads no body.
 * The backfill then worked 4 to 5 s (SQLite) and 9 s (PostgreSQL) for those 100k events, spread
 * at a tenth of real time.
 *
 * Events still received when it runs need no filling: completeEvent writes their column.
 */
export function learnerEmailSchema(dialect: Dialect): string {
  // The embedded store's expression index (list-indexes.ts) is what this column replaces.
  return `${dialect === 'sqlite' ? 'DROP INDEX events_by_learner_email;' : ''}
  ALTER TABLE events ADD COLUMN learner_email TEXT;
  CREATE INDEX events_by_learner_email ON events (learner_email, seq) WHERE learner_email IS NOT NULL;
  CREATE TABLE learner_email_backfill (after_seq BIGINT NOT NULL, through_seq BIGINT NOT NULL);
  INSERT INTO learner_email_backfill (after_seq, through_seq) SELECT 0, max(seq) FROM events HAVING max(seq) IS NOT NULL;`;
}

/**
 * The email in a stored body, for the backfill. SQLite's lower() folds ASCII only, as the
 * expression index did; events completed from now on are folded by JavaScript, as the query is.
 * On PostgreSQL a body holding a \u0000 escape cannot be read as JSON (json and jsonb alike refuse
 * to turn it into text), and one such event would fail its batch forever: it is skipped and stays
 * unfound by email (as is, rarely, a body with an escaped backslash before "u0000").
 */
function bodyEmail(dialect: Dialect): string {
  return dialect === 'sqlite' ? learnerEmailKey(dialect) : `CASE WHEN strpos(body, '\\u0000') = 0 THEN lower(body::json #>> '{learner,email}') END`;
}

/** Of the events in a batch's part of the range, those with an email to fill: processed (so completeEvent will not write them) and not filled yet. */
function toFill(dialect: Dialect): string {
  return `state = 'processed' AND learner_email IS NULL AND ${bodyEmail(dialect)} IS NOT NULL`;
}

/** What is left to fill: the sequence numbers after after_seq up to through_seq; no row when nothing was ever left. */
export const BACKFILL_RANGE = 'SELECT after_seq, through_seq FROM learner_email_backfill';

/** Forgets the range once it is done: a store with nothing left to fill answers its first batch from an empty table. */
export const BACKFILL_DONE = 'DELETE FROM learner_email_backfill WHERE after_seq >= through_seq';

/** The embedded store's batch, two statements in one write (nobody else writes meanwhile): the range moves to `?`, and its part (`?`, `?`] is filled. */
export const SQLITE_BACKFILL_STEP = 'UPDATE learner_email_backfill SET after_seq = ?';
export const SQLITE_BACKFILL_FILL = `UPDATE events SET learner_email = ${bodyEmail('sqlite')} WHERE seq > ? AND seq <= ? AND ${toFill('sqlite')}`;

/**
 * PostgreSQL's batch, in one statement: it moves the range from `$1` (as read by BACKFILL_RANGE)
 * on by `$2` and fills that part. It moves only from where it was read, and updating its row locks
 * it until the statement commits: hub processes starting together take turns, and one that read a
 * range another has moved since fills nothing and answers no row (it reads the range again), so
 * no part is filled twice. The bounds are parameters, not the range row's columns, so the planner
 * sees a batch's size: guessing from the columns, it expected a large share of the table and
 * JIT-compiled every batch once the table was large (about a second each, measured at 100k events).
 */
export const PG_BACKFILL_BATCH = `
  WITH step AS (
    UPDATE learner_email_backfill SET after_seq = $1::bigint + $2::bigint WHERE after_seq = $1::bigint RETURNING through_seq
  ), filled AS (
    UPDATE events SET learner_email = ${bodyEmail('postgres')} FROM (SELECT through_seq FROM step LIMIT 1) AS s
    WHERE seq > $1::bigint AND seq <= $1::bigint + $2::bigint AND seq <= s.through_seq AND ${toFill('postgres')}
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM filled) AS filled FROM step`;
