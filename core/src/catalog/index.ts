import { z } from 'zod';
import { EVENT_DEFINITIONS, type EventType } from './event-types.ts';
import { type CatalogField, fieldsOf } from './fields.ts';
import { SAMPLES } from './samples.ts';

export * from './commerce.ts';
export * from './event-types.ts';
export { type CatalogField, fieldsOf } from './fields.ts';
export * from './parts.ts';
export { SAMPLES } from './samples.ts';

/** A catalog entry as data: what /v1/catalog answers and the Zapier/n8n packages build on. */
export interface CatalogEntry {
  type: EventType;
  title: string;
  description: string;
  noun: string;
  sample: unknown;
  fields: CatalogField[];
  /** The envelope's JSON Schema, for OpenAPI and for readers of /v1/catalog. */
  json_schema: unknown;
}

/**
 * The catalog's version, in /v1/catalog: it goes up by one whenever types are added (the catalog
 * only grows; a type never changes incompatibly, DESIGN §2). 1: the first 31 types; 2: commerce,
 * leads, forms, tags and user.deleted (issue 16 §3).
 */
export const CATALOG_VERSION = 2;

export const CATALOG: readonly CatalogEntry[] = EVENT_DEFINITIONS.map((definition) => ({
  type: definition.type,
  title: definition.title,
  description: definition.description,
  noun: definition.noun,
  sample: SAMPLES[definition.type],
  fields: fieldsOf(definition.schema),
  json_schema: z.toJSONSchema(definition.schema, { io: 'output', unrepresentable: 'any' }),
}));

const BY_TYPE = new Map(CATALOG.map((entry) => [entry.type, entry]));

export function isEventType(value: string): value is EventType {
  return BY_TYPE.has(value as EventType);
}

export function catalogEntry(type: EventType): CatalogEntry {
  const entry = BY_TYPE.get(type);
  if (!entry) throw new Error(`Unknown event type ${type}`);
  return entry;
}
