/**
 * The small, safe subset of JSON paths a custom mapping uses (issue 16 §4): dot-separated names,
 * each optionally followed by `[n]` (an array index) or `[*]` (every element). A leading `$` or
 * `$.` is allowed and means the same as none. No filters, no recursion, no eval: reading a path is
 * one step per segment, and only an object's own keys are read (never `__proto__` or a prototype's).
 *
 * Examples: `payload.user.email`, `items[*]`, `data.attempts[0].score`, `$` (the value itself).
 */

/** A path's length and depth bound the work one mapping does per event. */
export const MAX_PATH_LENGTH = 200;
const MAX_SEGMENTS = 32;
/** A `[*]` over a huge array stops here: a batch larger than this is refused, not walked. */
export const MAX_MATCHES = 1000;

type Step = { key: string } | { index: number } | { every: true };

export interface ParsedPath {
  text: string;
  steps: Step[];
  /** Whether the path has a `[*]`, so it may match several values. */
  many: boolean;
}

const NAME = /^[^.[\]]+$/;

/** Reads a path's text; throws an Error whose message says what is wrong, for the schema to show. */
export function parsePath(text: string): ParsedPath {
  if (text.length > MAX_PATH_LENGTH) throw new Error(`is longer than ${MAX_PATH_LENGTH} characters`);
  const body = text.trim().replace(/^\$\.?/, '');
  const steps: Step[] = [];
  if (body !== '') {
    for (const part of body.split('.')) {
      const match = /^([^[\]]*)((?:\[(?:\d+|\*)\])*)$/.exec(part);
      if (!match) throw new Error(`cannot read "${part}": use names, [n] or [*], e.g. items[0].user.email`);
      const [, name = '', brackets = ''] = match;
      if (name !== '') {
        if (!NAME.test(name)) throw new Error(`cannot read "${part}"`);
        steps.push({ key: name });
      } else if (brackets === '') {
        throw new Error('has an empty name between two dots');
      }
      for (const [, inner] of brackets.matchAll(/\[(\d+|\*)\]/g)) {
        steps.push(inner === '*' ? { every: true } : { index: Number(inner) });
      }
    }
  }
  if (steps.length > MAX_SEGMENTS) throw new Error(`has more than ${MAX_SEGMENTS} steps`);
  return { text, steps, many: steps.some((step) => 'every' in step) };
}

/** Whether `text` is a path parsePath reads; the message when it is not. */
export function pathProblem(text: string): string | null {
  try {
    parsePath(text);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every value the path finds in `root`, in document order; empty when it finds nothing. Throws
 * when a `[*]` would find more than MAX_MATCHES values.
 */
export function readPath(root: unknown, path: ParsedPath): unknown[] {
  let current: unknown[] = [root];
  for (const step of path.steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if ('key' in step) {
        if (isRecord(value) && Object.hasOwn(value, step.key)) next.push(value[step.key]);
      } else if ('index' in step) {
        if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
      } else if (Array.isArray(value)) {
        if (next.length + value.length > MAX_MATCHES) throw new RangeError(`${path.text} finds more than ${MAX_MATCHES} values`);
        next.push(...value);
      }
    }
    current = next;
  }
  return current.filter((value) => value !== undefined);
}

/** The first value the path finds, or undefined. */
export function readOne(root: unknown, path: ParsedPath): unknown {
  return readPath(root, path)[0];
}
