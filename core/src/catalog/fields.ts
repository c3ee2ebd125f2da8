import { z } from 'zod';

/**
 * The flat field list of an event type, derived from its zod schema: Zapier's outputFields and
 * the n8n/OpenAPI descriptions come from here, never from a hand-kept list. Keys use Zapier's own
 * flattening (learner__email), so a field here is exactly the field a Zap author maps.
 */
export interface CatalogField {
  key: string;
  label: string;
  type: 'string' | 'number' | 'boolean' | 'datetime' | 'array';
  description?: string;
  choices?: string[];
}

type JsonSchema = z.core.JSONSchema.BaseSchema;

/** Object titles that only group fields and add nothing to a label. */
const SILENT_TITLES = new Set(['Details']);
/** Keys that are not fields a user maps: the raw vendor payload varies by vendor. */
const SKIPPED_KEYS = new Set(['raw']);

function nonNullBranch(schema: JsonSchema): JsonSchema {
  const branches = schema.anyOf?.filter((branch): branch is JsonSchema => typeof branch === 'object' && branch.type !== 'null');
  return branches?.length === 1 && branches[0] ? { ...branches[0], title: schema.title ?? branches[0].title } : schema;
}

function leafType(schema: JsonSchema): CatalogField['type'] | null {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (schema.format === 'date-time') return 'datetime';
  if (types.includes('string')) return 'string';
  if (types.includes('number') || types.includes('integer')) return 'number';
  if (types.includes('boolean')) return 'boolean';
  if (types.includes('array')) return 'array';
  return null;
}

function walk(schema: JsonSchema, path: string[], labels: string[], out: CatalogField[]): void {
  const node = nonNullBranch(schema);
  if (node.type === 'object' || node.properties) {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      if (typeof child !== 'object' || (path.length === 0 && SKIPPED_KEYS.has(key))) continue;
      const title = nonNullBranch(child).title;
      const childLabels = title && !SILENT_TITLES.has(title) ? [...labels, title] : labels;
      walk(child, [...path, key], childLabels, out);
    }
    return;
  }
  const type = leafType(node);
  if (!type) return;
  const field: CatalogField = { key: path.join('__'), label: labels.join(' '), type };
  if (node.description) field.description = node.description;
  const choices = node.enum?.filter((value): value is string => typeof value === 'string');
  if (choices?.length) field.choices = choices;
  out.push(field);
}

export function fieldsOf(schema: z.ZodType): CatalogField[] {
  const json = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' });
  const out: CatalogField[] = [];
  walk(json, [], [], out);
  return out;
}
