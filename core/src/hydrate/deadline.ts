/** The time is up for this event: the part goes out missing. */
export class OutOfTime extends Error {
  constructor(waitMs: number) {
    super(`Waiting ${waitMs} ms more would pass the event's hydration bound.`);
    this.name = 'OutOfTime';
  }
}

/** Settles like `promise`, or rejects after `ms` (real time): a hung call must not hold the fan-out. */
export async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OutOfTime(ms)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
