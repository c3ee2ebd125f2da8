import type { PostgresDatabase } from './postgres-connect.ts';
import { num } from './rows.ts';
import { OWED_EVENT, retentionReads } from './sql/retention.ts';
import type { SqlRunner } from './sql/runner.ts';
import type { RetentionStore } from './store.ts';

/**
 * Retention on PostgreSQL: plain deletes in batches, one statement (so one transaction) per batch
 * of requests, the owed check inside it. Autovacuum makes the dead rows' space reusable; the
 * tables stop growing without partitions, which would need a partition key on every unique
 * constraint (events' dedupe) and rewrite the released schema for no measured gain.
 */
export function postgresRetention(database: PostgresDatabase, runner: SqlRunner): RetentionStore {
  return {
    ...retentionReads(runner),

    async pruneRequests(seqs) {
      const row = await database.one(
        `WITH gone_events AS (
           DELETE FROM events e WHERE e.raw_request_seq = ANY($1::bigint[]) AND NOT ${OWED_EVENT} RETURNING e.id
         ), gone_deliveries AS (
           DELETE FROM deliveries WHERE event_id IN (SELECT id FROM gone_events) RETURNING id
         ), gone_attempts AS (
           DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM gone_deliveries) RETURNING 1
         ), gone_requests AS (
           DELETE FROM raw_requests r WHERE r.seq = ANY($1::bigint[])
             AND NOT EXISTS (SELECT 1 FROM events e WHERE e.raw_request_seq = r.seq AND e.id NOT IN (SELECT id FROM gone_events))
           RETURNING 1
         )
         SELECT (SELECT count(*) FROM gone_requests) AS raw_requests, (SELECT count(*) FROM gone_events) AS events,
                (SELECT count(*) FROM gone_deliveries) AS deliveries, (SELECT count(*) FROM gone_attempts) AS attempts`,
        [seqs],
      );
      return { raw_requests: num(row?.raw_requests), events: num(row?.events), deliveries: num(row?.deliveries), attempts: num(row?.attempts) };
    },
  };
}
