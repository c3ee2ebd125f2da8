import { type CatalogField, catalogEntry, SAMPLES } from '@learnhook/core';
import type { Bundle, PlainInputField, PlainOutputField, ZObject } from 'zapier-platform-core';
import { z as zod } from 'zod';
import { DeliveredEvent } from './delivery.ts';
import { callHub, readAnswer } from './hub-client.ts';
import { outputField } from './trigger-definitions.ts';
import { asRecord, inputText } from './values.ts';

/**
 * Dynamic dropdowns (hidden polling triggers, Zapier's way of filling a dropdown) and the searches
 * a Zap builder expects, all answered by GET /v1/lookup/* on the hub: from the LMS's API when a
 * connection is named and has one, otherwise from the people and courses of recent events.
 */

/** A perform-style function, typed precisely (Zapier's own types accept any function or request). */
export type Operation<T> = (z: ZObject, bundle: Bundle) => Promise<T>;

/**
 * A hidden polling trigger that fills a dynamic dropdown. Zapier waives the sample of a hidden
 * trigger; it has one anyway, so its primary key (`id`) is there to check (Zapier's D010).
 */
export interface DropdownTrigger {
  key: string;
  noun: string;
  display: { label: string; description: string; hidden: true };
  operation: { type: 'polling'; perform: Operation<Array<{ id: string }>>; sample: { id: string } & Record<string, unknown> };
}

export interface LookupSearch {
  key: string;
  noun: string;
  display: { label: string; description: string };
  operation: {
    inputFields: PlainInputField[];
    perform: Operation<Array<{ id: string }>>;
    sample: Record<string, unknown>;
    outputFields: PlainOutputField[];
  };
}

const LearnerRow = zod.looseObject({ id: zod.string().min(1), name: zod.string().nullable().optional(), email: zod.string().nullable().optional() });
const CourseRow = zod.looseObject({ id: zod.string().min(1), title: zod.string().nullable().optional() });
const LookupPage = <T extends zod.ZodType>(row: T) => zod.object({ data: zod.array(row) });

/** Dropdowns show this many choices; the user can always type a value Zapier did not list. */
const DROPDOWN_SIZE = 100;
const SEARCH_SIZE = 10;
/** Recent events read to name the connections the hub has heard from. */
const EVENTS_FOR_CONNECTIONS = 100;

async function lookup<T extends zod.ZodType>(
  z: ZObject,
  bundle: Bundle,
  kind: 'courses' | 'users',
  row: T,
  params: { q?: string; limit: number },
): Promise<Array<zod.infer<T>>> {
  const answer = await callHub(z, bundle, {
    path: `/v1/lookup/${kind}`,
    params: { q: params.q, limit: String(params.limit), connection: inputText(bundle.inputData.connection) },
  });
  return readAnswer(z, LookupPage(row), answer, `the ${kind} lookup`).data;
}

/** The envelope part `prefix` (learner, course) as Zapier output fields, from the catalog. */
function partFields(prefix: 'learner' | 'course'): PlainOutputField[] {
  const fields: CatalogField[] = catalogEntry('enrollment.completed').fields.filter((field) => field.key.startsWith(`${prefix}__`));
  return fields.map((field) => ({
    ...outputField(field),
    key: field.key.slice(prefix.length + 2),
    // "Learner Email" -> "Email": inside a Find User step the noun is already said.
    label: field.label.replace(/^(Learner|Course) /, ''),
  }));
}

function partSample(prefix: 'learner' | 'course'): Record<string, unknown> {
  return asRecord(asRecord(catalogEntry('enrollment.completed').sample)[prefix]);
}

/** The catalog's main sample, for the dropdowns' own samples. */
const MAIN_SAMPLE = SAMPLES['enrollment.completed'];

/** The LMS connection filter: connections recent events came from; any name can be typed too. */
export const CONNECTION_FIELD = {
  key: 'connection',
  label: 'LMS Connection',
  required: false,
  dynamic: 'connection_list.id.name',
  helpText: 'Only events from this LMS connection (its name on the hub, e.g. `acme-absorb`). Leave empty for every connection.',
} satisfies PlainInputField;

/** The course filter, searchable through Find Course. */
export const COURSE_FIELD = {
  key: 'course_id',
  label: 'Course',
  required: false,
  dynamic: 'course_list.id.title',
  search: 'find_course.id',
  helpText: 'Only events about this course. Leave empty for every course.',
} satisfies PlainInputField;

export const courseList: DropdownTrigger = {
  key: 'course_list',
  noun: 'Course',
  display: { label: 'Course List', description: 'Triggers when the Course dropdown opens, to list the courses the hub knows.', hidden: true },
  operation: {
    type: 'polling',
    sample: { id: MAIN_SAMPLE.course.id, title: MAIN_SAMPLE.course.title ?? MAIN_SAMPLE.course.id },
    perform: async (z: ZObject, bundle: Bundle) =>
      (await lookup(z, bundle, 'courses', CourseRow, { limit: DROPDOWN_SIZE })).map((course) => ({ ...course, title: course.title ?? course.id })),
  },
};

export const connectionList: DropdownTrigger = {
  key: 'connection_list',
  noun: 'Connection',
  display: {
    label: 'Connection List',
    description: 'Triggers when the LMS Connection dropdown opens, to list the connections recent events came from.',
    hidden: true,
  },
  operation: {
    type: 'polling',
    sample: { id: MAIN_SAMPLE.source.connection, name: `${MAIN_SAMPLE.source.connection} (${MAIN_SAMPLE.source.vendor})` },
    // Integration keys may not list /v1/connections (admin only); recent events name them too.
    perform: async (z: ZObject, bundle: Bundle) => {
      const answer = await callHub(z, bundle, { path: '/v1/events', params: { limit: String(EVENTS_FOR_CONNECTIONS) } });
      const events = readAnswer(z, zod.object({ data: zod.array(DeliveredEvent) }), answer, 'the event list').data;
      const connections = new Map<string, { id: string; name: string }>();
      for (const { source } of events) {
        if (source && !connections.has(source.connection))
          connections.set(source.connection, { id: source.connection, name: `${source.connection} (${source.vendor})` });
      }
      return [...connections.values()];
    },
  },
};

export const findUser: LookupSearch = {
  key: 'find_user',
  noun: 'User',
  display: { label: 'Find User', description: 'Finds a learner in your LMS by email, name or ID.' },
  operation: {
    inputFields: [
      {
        key: 'query',
        label: 'Email or Name',
        required: true,
        helpText: "Part of an email address or name works too, and so does the learner's ID in the LMS.",
      },
      { ...CONNECTION_FIELD, helpText: 'Search this LMS connection through its API. Leave empty to search the learners of recent events.' },
    ],
    perform: async (z: ZObject, bundle: Bundle) => lookup(z, bundle, 'users', LearnerRow, { q: inputText(bundle.inputData.query), limit: SEARCH_SIZE }),
    sample: partSample('learner'),
    outputFields: partFields('learner'),
  },
};

export const findCourse: LookupSearch = {
  key: 'find_course',
  noun: 'Course',
  display: { label: 'Find Course', description: 'Finds a course in your LMS by title or ID.' },
  operation: {
    inputFields: [
      { key: 'query', label: 'Title', required: true, helpText: "Part of the title works too, and so does the course's ID in the LMS." },
      { ...CONNECTION_FIELD, helpText: 'Search this LMS connection through its API. Leave empty to search the courses of recent events.' },
    ],
    perform: async (z: ZObject, bundle: Bundle) => lookup(z, bundle, 'courses', CourseRow, { q: inputText(bundle.inputData.query), limit: SEARCH_SIZE }),
    sample: partSample('course'),
    outputFields: partFields('course'),
  },
};
