/**
 * Group commit for a store over a network: every call made in the same turn of the event loop
 * goes to the database as one statement, so a fan-out of 200 events or 60 finished deliveries
 * costs one round trip and one WAL flush instead of one each. Two calls with the same key are never
 * in one batch (a statement may not touch a row twice); the later one goes in the next. When a
 * batch fails, each of its calls is tried alone, so one bad write fails only itself.
 */
export function createBatcher<I, O>(options: { key: (item: I) => string; run: (items: I[]) => Promise<O[]> }): (item: I) => Promise<O> {
  let queue: Array<{ item: I; resolve: (value: O) => void; reject: (error: unknown) => void }> = [];
  let scheduled = false;

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void flush();
    });
  }

  async function flush(): Promise<void> {
    const keys = new Set<string>();
    const batch: typeof queue = [];
    const rest: typeof queue = [];
    for (const entry of queue) {
      const key = options.key(entry.item);
      (keys.has(key) ? rest : batch).push(entry);
      keys.add(key);
    }
    queue = rest;
    if (rest.length > 0) schedule();
    if (batch.length === 0) return;
    await runBatch(batch);
  }

  async function runBatch(batch: typeof queue): Promise<void> {
    try {
      const outputs = await options.run(batch.map((entry) => entry.item));
      for (const [index, entry] of batch.entries()) entry.resolve(outputs[index] as O);
    } catch (error) {
      if (batch.length === 1) batch[0]?.reject(error);
      else await Promise.all(batch.map((entry) => runBatch([entry])));
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
