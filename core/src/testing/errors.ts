/** An error class, for the helpers below: `instanceof` narrows to it. */
type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** The error `run` throws, which must be an `type`; anything else thrown is rethrown, and no error fails the test. */
export function thrownBy<E extends Error>(type: ErrorClass<E>, run: () => unknown): E {
  try {
    run();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`);
}

/** The error `promise` rejects with, which must be an `type`; resolving, or any other error, fails the test. */
export async function rejectionOf<E extends Error>(type: ErrorClass<E>, promise: Promise<unknown>): Promise<E> {
  const error: unknown = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof type)) throw new Error(`expected a ${type.name}, got ${String(error)}`);
  return error;
}
