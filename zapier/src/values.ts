/** A Zap input value as text: Zapier sends what the user typed or picked, or nothing. */
export function inputText(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Catalog samples are typed `unknown` in core; Zapier's schema wants an object. */
export function asRecord(value: unknown): Record<string, unknown> {
  if (!isRecord(value)) throw new TypeError('Expected an object.');
  return value;
}
