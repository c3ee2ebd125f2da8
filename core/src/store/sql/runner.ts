import type { Row } from '../rows.ts';
import type { WakeTopic } from '../store.ts';
import type { Dialect } from './dialect.ts';

/** A value bound to a placeholder: what both drivers take. */
export type SqlValue = string | number | null | Buffer;

/**
 * How the shared statements reach either database. Statements are written with `?` placeholders
 * (the PostgreSQL runner numbers them). A write's promise resolves once it is durable: on sqlite it
 * joins the next group commit, on PostgreSQL it is one statement, its own transaction.
 */
export interface SqlRunner {
  /** Where the two dialects differ in a shared statement (reading JSON): see dialect.ts. */
  dialect: Dialect;
  rows(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** A write; answers how many rows it changed. */
  change(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** A write with a RETURNING clause; answers the rows it returned. */
  returning(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** After a commit that made work: tells the other processes sharing the store (none on sqlite). */
  wake(topic: WakeTopic): void;
}
