import { z } from 'zod';

/**
 * Which settings are credentials, said once, in the zod schema that validates them: `secret(...)`
 * marks a field, and every place that must treat a credential differently reads the mark (the
 * API's masking and the keeping of a secret a change leaves out, the console's password inputs,
 * the OpenAPI document, log redaction). A field's name says nothing: Thinkific's `signing_key` and
 * LearnWorlds' `signature` are credentials as much as any `secret`.
 */

/** The JSON Schema keyword the mark becomes (zod copies `.meta()` into z.toJSONSchema's output). */
const MARK = 'secret';

/** Marks a setting as a credential (its `.meta()` survives later `.optional()`, `.meta()` and `.default()`). */
export const secret = <T extends z.ZodType>(schema: T): T => schema.meta({ [MARK]: true });

type JsonSchema = z.core.JSONSchema.JSONSchema;

/** Whether a node of z.toJSONSchema's output is a field marked with `secret(...)`. */
export const isSecretJson = (schema: JsonSchema): boolean => schema[MARK] === true;

/**
 * z.toJSONSchema's `override` for a published document: the mark in words OpenAPI tools know,
 * `format: password` (hidden while typed) and `writeOnly` (given to the hub, never answered whole).
 */
export function publishSecret({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  if (!isSecretJson(jsonSchema)) return;
  delete jsonSchema[MARK];
  Object.assign(jsonSchema, { format: 'password', writeOnly: true });
}

/**
 * Where the credentials sit in a settings value: `true` for a value that is one (an array of
 * them: each item), else the keys within that hold one. Arrays of objects are read through: their
 * items' keys are listed as the array's. Unions list every variant's credentials.
 */
export type SecretShape = { readonly [key: string]: SecretShape | true };

function merge(a: SecretShape | true | null, b: SecretShape | true | null): SecretShape | true | null {
  if (a === true || b === true) return true;
  if (a === null || b === null) return a ?? b;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return Object.fromEntries([...keys].map((key) => [key, merge(a[key] ?? null, b[key] ?? null) ?? {}]));
}

function shapeOfJson(node: JsonSchema | boolean | undefined, defs: Record<string, JsonSchema | boolean>, seen: ReadonlySet<string>): SecretShape | true | null {
  if (node === undefined || typeof node === 'boolean') return null;
  if (isSecretJson(node)) return true;
  let shape: SecretShape | true | null = null;
  const ref = node.$ref?.match(/^#\/\$defs\/(.+)$/)?.[1];
  if (ref !== undefined && !seen.has(ref)) shape = merge(shape, shapeOfJson(defs[ref], defs, new Set([...seen, ref])));
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const inner = shapeOfJson(child, defs, seen);
    if (inner !== null) shape = merge(shape, { [key]: inner });
  }
  const items = Array.isArray(node.items) ? node.items : [node.items, ...(node.prefixItems ?? [])];
  for (const variant of [...items, ...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) shape = merge(shape, shapeOfJson(variant, defs, seen));
  return shape;
}

const shapes = new WeakMap<z.ZodType, SecretShape | true>();

/** The credentials a settings schema marks (read once per schema). */
export function secretShapeOf(schema: z.ZodType): SecretShape | true {
  const known = shapes.get(schema);
  if (known) return known;
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  const shape = shapeOfJson(json, json.$defs ?? {}, new Set()) ?? {};
  shapes.set(schema, shape);
  return shape;
}

/** What `shape` marks under `key`: undefined where nothing is a credential. */
export const secretUnder = (shape: SecretShape | true, key: string): SecretShape | true | undefined =>
  shape === true ? true : Object.hasOwn(shape, key) ? shape[key] : undefined;

/** The names of the keys holding a credential, at any depth: what a log line must blank wherever it finds them. */
export function secretKeysOf(shape: SecretShape | true): string[] {
  if (shape === true) return [];
  return Object.entries(shape).flatMap(([key, inner]) => (inner === true ? [key] : secretKeysOf(inner)));
}

/** `value` with each credential `shape` marks replaced by `hide(credential)`; everything else as it was. */
export function mapSecrets(value: unknown, shape: SecretShape | true, hide: (credential: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => mapSecrets(item, shape, hide));
  if (shape === true) return hide(value);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      const under = secretUnder(shape, key);
      return [key, under === undefined ? inner : mapSecrets(inner, under, hide)];
    }),
  );
}
