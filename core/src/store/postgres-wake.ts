import pg from 'pg';
import type { PostgresDatabase } from './postgres-connect.ts';
import { quoteIdent } from './postgres-migrations.ts';
import type { WakeTopic } from './store.ts';

/** Notifications of one topic sent within this window are folded into one: the others only need a wake. */
const NOTIFY_COALESCE_MS = 20;
const LISTEN_RETRY_MS = 1_000;

export interface Wake {
  /** Tells the other processes after a commit; a lost notification only delays work until their poll. */
  notify(topic: WakeTopic): void;
  /** The Store's onWake: listening starts with the first listener. */
  onWake(callback: (topic: WakeTopic) => void): () => void;
  close(): Promise<void>;
}

/**
 * LISTEN/NOTIFY between the processes sharing one schema: each LISTENs on one dedicated
 * connection, which reconnects by itself, and hears only the others (a payload names its sender).
 */
export function createWake(database: PostgresDatabase, processId: string, onListenError?: (error: unknown) => void): Wake {
  const { pool, clientConfig } = database;
  const channel = `learnhook_${database.schema}`.slice(0, 63);
  let closed = false;
  const listeners = new Set<(topic: WakeTopic) => void>();
  let listener: pg.Client | null = null;
  let listenTimer: NodeJS.Timeout | null = null;
  const notifyTimers = new Map<WakeTopic, NodeJS.Timeout>();
  const notifyAgain = new Set<WakeTopic>();

  function tellListeners(topics: readonly WakeTopic[]): void {
    for (const topic of topics) for (const callback of listeners) callback(topic);
  }

  async function listen(): Promise<void> {
    if (closed || listener) return;
    const client = new pg.Client(clientConfig);
    listener = client;
    const reconnect = (error?: unknown) => {
      if (listener !== client) return;
      listener = null;
      void client.end().catch(() => undefined);
      if (error) onListenError?.(error);
      if (closed || listenTimer) return;
      listenTimer = setTimeout(() => {
        listenTimer = null;
        void listen();
      }, LISTEN_RETRY_MS);
      listenTimer.unref();
    };
    client.on('error', reconnect);
    client.on('end', () => reconnect());
    client.on('notification', (message) => {
      const [topic, from] = (message.payload ?? '').split(':');
      if (from === processId) return;
      if (topic === 'events' || topic === 'deliveries' || topic === 'hooks') tellListeners([topic]);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(channel)}`);
      // Whatever was notified while we were not listening is looked for now.
      tellListeners(['hooks', 'events', 'deliveries']);
    } catch (error) {
      reconnect(error);
    }
  }

  function notify(topic: WakeTopic): void {
    if (closed) return;
    if (notifyTimers.has(topic)) {
      notifyAgain.add(topic);
      return;
    }
    pool.query('SELECT pg_notify($1, $2)', [channel, `${topic}:${processId}`]).catch(() => undefined);
    const timer = setTimeout(() => {
      notifyTimers.delete(topic);
      if (notifyAgain.delete(topic)) notify(topic);
    }, NOTIFY_COALESCE_MS);
    timer.unref();
    notifyTimers.set(topic, timer);
  }

  return {
    notify,

    onWake(callback) {
      listeners.add(callback);
      void listen();
      return () => listeners.delete(callback);
    },

    async close() {
      closed = true;
      for (const timer of notifyTimers.values()) clearTimeout(timer);
      if (listenTimer) clearTimeout(listenTimer);
      const client = listener;
      listener = null;
      await client?.end().catch(() => undefined);
    },
  };
}
