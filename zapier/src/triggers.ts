import { CATALOG, type CatalogEntry, catalogEntry, isEventType } from '@learnhook/core';
import type { Bundle, PlainInputField, PlainOutputField, ZObject } from 'zapier-platform-core';
import type { DeliveredEvent, SubscribeData } from './delivery.ts';
import { CONNECTION_FIELD, COURSE_FIELD, type Operation } from './lookups.ts';
import { listEvents, performDelivery, sampleOf, subscribe, unsubscribe } from './rest-hooks.ts';
import { type TriggerDefinition, triggerDefinitions } from './trigger-definitions.ts';
import { asRecord, inputText } from './values.ts';

/**
 * The REST-hook triggers (DESIGN §5): one per catalog type, derived from the catalog, plus
 * "New LMS Event", which takes any type picked from a dropdown.
 */

/** A REST-hook trigger, typed precisely so tests can hand its functions to createAppTester. */
export interface HookTrigger {
  key: string;
  noun: string;
  display: { label: string; description: string };
  operation: {
    type: 'hook';
    inputFields: PlainInputField[];
    performSubscribe: Operation<SubscribeData>;
    performUnsubscribe: Operation<{ id: string | null; deleted: boolean }>;
    perform: Operation<DeliveredEvent[]>;
    performList: Operation<Array<Record<string, unknown>>>;
    sample: Record<string, unknown>;
    outputFields: Array<PlainOutputField | Operation<PlainOutputField[]>>;
  };
}

/** A course filter only makes sense for types whose events are about a course. */
function filterFields(definition: Pick<TriggerDefinition, 'outputFields'>): PlainInputField[] {
  const aboutCourses = definition.outputFields.some((field) => field.key.startsWith('course__'));
  return aboutCourses ? [CONNECTION_FIELD, COURSE_FIELD] : [CONNECTION_FIELD];
}

export function eventTypeTrigger(definition: TriggerDefinition): HookTrigger {
  return {
    key: definition.key,
    noun: definition.noun,
    display: definition.display,
    operation: {
      type: 'hook',
      inputFields: filterFields(definition),
      performSubscribe: (z: ZObject, bundle: Bundle) => subscribe(z, bundle, [definition.eventType], definition.display.label),
      performUnsubscribe: unsubscribe,
      perform: performDelivery,
      performList: (z: ZObject, bundle: Bundle) => listEvents(z, bundle, definition.eventType),
      sample: asRecord(definition.sample),
      outputFields: definition.outputFields,
    },
  };
}

export const NEW_LMS_EVENT_KEY = 'new_lms_event';

/** Every field any catalog type has, for a trigger that may deliver any type. */
function allOutputFields(catalog: readonly CatalogEntry[]): PlainOutputField[] {
  const byKey = new Map<string, PlainOutputField>();
  for (const definition of triggerDefinitions(catalog)) {
    for (const field of definition.outputFields) if (!byKey.has(field.key)) byKey.set(field.key, field);
  }
  return [...byKey.values()];
}

function outputFieldsOf(type: string | undefined): PlainOutputField[] {
  if (type === undefined || !isEventType(type)) return allOutputFields(CATALOG);
  return triggerDefinitions([catalogEntry(type)])[0]?.outputFields ?? [];
}

export const newLmsEvent: HookTrigger = {
  key: NEW_LMS_EVENT_KEY,
  noun: 'Event',
  display: {
    label: 'New LMS Event',
    description: 'Triggers when your LMS sends any event, or only events of the type you pick.',
  },
  operation: {
    type: 'hook',
    inputFields: [
      {
        key: 'event_type',
        label: 'Event Type',
        required: false,
        choices: CATALOG.map((entry) => ({ value: entry.type, label: entry.title, sample: entry.type })),
        // The output fields follow the type picked.
        altersDynamicFields: true,
        helpText: 'Only events of this type. Leave empty to trigger on every event.',
      },
      CONNECTION_FIELD,
      COURSE_FIELD,
    ],
    performSubscribe: (z: ZObject, bundle: Bundle) => {
      const type = inputText(bundle.inputData.event_type);
      return subscribe(z, bundle, type ? [type] : ['*'], 'New LMS Event');
    },
    performUnsubscribe: unsubscribe,
    perform: performDelivery,
    performList: (z: ZObject, bundle: Bundle) => listEvents(z, bundle, inputText(bundle.inputData.event_type)),
    sample: sampleOf(undefined),
    outputFields: [async (_z: ZObject, bundle: Bundle) => outputFieldsOf(inputText(bundle.inputData.event_type))],
  },
};

/** Built once: createAppTester finds an operation by the identity of its function. */
export const HOOK_TRIGGERS: readonly HookTrigger[] = [...triggerDefinitions().map(eventTypeTrigger), newLmsEvent];

/** The trigger with `key`; throws for an unknown key, which is a mistake in the caller. */
export function hookTrigger(key: string): HookTrigger {
  const trigger = HOOK_TRIGGERS.find((candidate) => candidate.key === key);
  if (!trigger) throw new Error(`No trigger ${key}`);
  return trigger;
}
