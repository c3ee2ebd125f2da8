import { describe, expect, it } from 'vitest';
import { CATALOG, CATALOG_VERSION, CatalogEventSchema, EVENT_DEFINITIONS, fieldsOf, SAMPLES } from './index.ts';

/** Every type DESIGN §2 names, so a type dropped from the catalog fails here. */
const DESIGN_TYPES = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'enrollment.created',
  'enrollment.removed',
  'enrollment.approval_requested',
  'enrollment.started',
  'enrollment.progressed',
  'enrollment.completed',
  'session.enrolled',
  'session.attended',
  'course.created',
  'course.published',
  'course.unpublished',
  'course.deleted',
  'certificate.awarded',
  'competency.awarded',
  'credits.awarded',
  'assessment.completed',
  'activity.viewed',
  'activity.liked',
  'activity.disliked',
  'question.answered',
  'question.skipped',
  'search.performed',
  'group.created',
  'group.deleted',
  'department.created',
  'department.deleted',
  'lms.event',
  // Version 2, issue 16 §3: what course-selling LMSs (Thinkific, LearnWorlds, Kajabi) send.
  'user.deleted',
  'user.tag_added',
  'user.tag_removed',
  'order.created',
  'payment.succeeded',
  'payment.failed',
  'payment.refunded',
  'subscription.started',
  'subscription.trial_started',
  'subscription.cancelled',
  'lead.created',
  'form.submitted',
];

describe('the event catalog', () => {
  it('holds exactly the types of DESIGN §2, each once', () => {
    expect(CATALOG.map((entry) => entry.type).sort()).toEqual([...DESIGN_TYPES].sort());
  });

  it('names its version beside its size, so adding a type means raising CATALOG_VERSION here and there', () => {
    expect({ version: CATALOG_VERSION, types: CATALOG.length }).toEqual({ version: 2, types: 43 });
  });

  it.each(EVENT_DEFINITIONS.map((definition) => [definition.type, definition] as const))(
    'parses the %s sample with its own schema and with the catalog union',
    (type, definition) => {
      const sample = SAMPLES[type];
      expect(definition.schema.parse(sample)).toEqual(sample);
      expect(CatalogEventSchema.parse(sample).type).toBe(type);
    },
  );

  it('gives every type a plain title, a "Triggers when" description and a noun', () => {
    for (const entry of CATALOG) {
      expect(entry.title.length).toBeGreaterThanOrEqual(2);
      expect(entry.title.length).toBeLessThanOrEqual(64);
      // Zapier's check D021: "Triggers when " ... "." (zapier/src/style-checks.test.ts).
      expect(entry.description).toMatch(/^Triggers when .+\.$/);
      expect(entry.noun).toMatch(/^[A-Z]/);
    }
    expect(new Set(CATALOG.map((entry) => entry.title)).size).toBe(CATALOG.length);
  });

  it('rejects a sample whose type-required object is missing', () => {
    const broken = { ...SAMPLES['enrollment.completed'], learner: null };
    expect(CatalogEventSchema.safeParse(broken).success).toBe(false);
  });

  it('rejects an object where the type involves none', () => {
    const broken = { ...SAMPLES['course.created'], learner: SAMPLES['user.created'].learner };
    expect(CatalogEventSchema.safeParse(broken).success).toBe(false);
  });
});

describe('the field list', () => {
  const completed = CATALOG.find((entry) => entry.type === 'enrollment.completed');

  it('flattens nested keys the way Zapier does, with human labels', () => {
    expect(completed?.fields).toContainEqual({ key: 'learner__email', label: 'Learner Email', type: 'string' });
    expect(completed?.fields).toContainEqual(expect.objectContaining({ key: 'enrollment__completed_at', label: 'Enrollment Completed At', type: 'datetime' }));
    expect(completed?.fields).toContainEqual(expect.objectContaining({ key: 'enrollment__score', type: 'number' }));
  });

  it('lists the choices of enumerated fields', () => {
    const kind = completed?.fields.find((field) => field.key === 'course__kind');
    expect(kind?.choices).toContain('learning_path');
  });

  it('leaves out the raw vendor payload and the grouping title of data', () => {
    const certificate = fieldsOf(EVENT_DEFINITIONS.find((d) => d.type === 'certificate.awarded')!.schema);
    expect(certificate.some((field) => field.key.startsWith('raw'))).toBe(false);
    expect(certificate).toContainEqual(expect.objectContaining({ key: 'data__certificate__title', label: 'Certificate Title' }));
  });

  it('has a field for every leaf of every sample', () => {
    for (const entry of CATALOG) {
      const keys = new Set(entry.fields.map((field) => field.key));
      const { raw: _raw, ...rest } = entry.sample as Record<string, unknown>;
      for (const key of leafKeys(rest, asSchema(entry.json_schema))) expect(keys, `${entry.type} lacks ${key}`).toContain(key);
    }
  });

  it('gives money as whole minor units with a currency, and gives a free-form record no field of its own', () => {
    const order = CATALOG.find((entry) => entry.type === 'order.created');
    expect(order?.fields).toContainEqual(expect.objectContaining({ key: 'data__order__amount', label: 'Order Total (Minor Units)', type: 'number' }));
    expect(order?.fields).toContainEqual(expect.objectContaining({ key: 'data__order__currency', type: 'string' }));
    expect(order?.fields).toContainEqual(expect.objectContaining({ key: 'data__product__name', label: 'Product Name' }));
    const form = CATALOG.find((entry) => entry.type === 'form.submitted');
    expect(form?.fields.some((field) => field.key.startsWith('data__submission__fields'))).toBe(false);
    expect(
      CatalogEventSchema.safeParse({
        ...SAMPLES['order.created'],
        data: { ...SAMPLES['order.created'].data, order: { ...SAMPLES['order.created'].data.order, amount: 49.0001 } },
      }).success,
    ).toBe(false);
  });
});

interface JsonSchemaNode {
  properties?: Record<string, JsonSchemaNode>;
  additionalProperties?: unknown;
  anyOf?: JsonSchemaNode[];
}

function asSchema(value: unknown): JsonSchemaNode {
  return typeof value === 'object' && value !== null ? (value as JsonSchemaNode) : {};
}

/**
 * Keys of the sample's non-null leaves: a null object (a type that involves no course) has no
 * fields, and neither does a record whose keys each event brings (a form's submitted fields).
 */
function leafKeys(value: unknown, schema: JsonSchemaNode, prefix = ''): string[] {
  const node = schema.anyOf?.find((branch) => branch.properties || branch.additionalProperties) ?? schema;
  if (value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) return prefix ? [prefix] : [];
  if (!node.properties && typeof node.additionalProperties === 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => leafKeys(child, node.properties?.[key] ?? {}, prefix ? `${prefix}__${key}` : key));
}
