import { CATALOG, type CatalogEntry, type CatalogField } from '@learnhook/core';

/**
 * The Zapier trigger list, derived from the core catalog (DESIGN §5): one REST-hook trigger per
 * catalog type, never listed by hand. triggers.ts adds the REST-hook functions and input fields.
 */
export interface TriggerDefinition {
  key: string;
  noun: string;
  display: { label: string; description: string };
  eventType: CatalogEntry['type'];
  sample: unknown;
  outputFields: Array<{ key: string; label: string; type: 'string' | 'number' | 'boolean' | 'datetime'; list?: true }>;
}

/** Zapier keys match ^[a-zA-Z]+[a-zA-Z0-9_]*$: "enrollment.completed" -> "enrollment_completed". */
export function triggerKey(type: string): string {
  return type.replace(/[^a-zA-Z0-9]+/g, '_');
}

/**
 * Zapier has no array type: a list of strings is `type: 'string', list: true`, so the sample's
 * array matches its field's type (Zapier's check D024).
 */
export function outputField(field: CatalogField): TriggerDefinition['outputFields'][number] {
  return field.type === 'array' ? { key: field.key, label: field.label, type: 'string', list: true } : { key: field.key, label: field.label, type: field.type };
}

export function triggerDefinitions(catalog: readonly CatalogEntry[] = CATALOG): TriggerDefinition[] {
  return catalog.map((entry) => ({
    key: triggerKey(entry.type),
    noun: entry.noun,
    display: { label: entry.title, description: entry.description },
    eventType: entry.type,
    sample: entry.sample,
    outputFields: entry.fields.map(outputField),
  }));
}
