import * as zapierCore from 'zapier-platform-core';
import { z } from 'zod';

/**
 * The parts of Zapier's integration checks (the style check `zapier-platform validate` asks
 * Zapier's servers for) that can be decided from the app definition alone, so CI can hold the app
 * to them offline. Each rule carries the check's ID and the page that defines it; the rules
 * Zapier's build guidelines state without an ID say "guidelines". What a rule checks is what the
 * page says, no more: where the page leaves room (which words title case keeps small), the rule
 * says what it chose.
 */

const CHECKS = 'https://docs.zapier.com/platform/publish/integration-checks-reference';
const GUIDELINES = 'https://docs.zapier.com/platform/publish/integration-build-guidelines';

const Field = z.looseObject({
  key: z.string(),
  label: z.string().optional(),
  helpText: z.string().optional(),
  placeholder: z.string().optional(),
  type: z.string().optional(),
  required: z.boolean().optional(),
  dynamic: z.string().optional(),
  search: z.string().optional(),
  list: z.boolean().optional(),
  dict: z.boolean().optional(),
  children: z.array(z.unknown()).optional(),
  primary: z.boolean().optional(),
});
export type Field = z.infer<typeof Field>;

/** Fields given by a function arrive as "$func$..." strings; only plain fields can be checked. */
const Fields = z.array(z.union([Field, z.string()])).optional();

const Component = z.looseObject({
  key: z.string(),
  noun: z.string().optional(),
  display: z.looseObject({ label: z.string().optional(), description: z.string().optional(), hidden: z.boolean().optional() }),
  operation: z.looseObject({
    type: z.string().optional(),
    inputFields: Fields,
    outputFields: Fields,
    sample: z.record(z.string(), z.unknown()).optional(),
    perform: z.unknown().optional(),
    performList: z.unknown().optional(),
    performSubscribe: z.unknown().optional(),
    performUnsubscribe: z.unknown().optional(),
    cleanInputData: z.boolean().optional(),
  }),
});
export type Component = z.infer<typeof Component>;

/** An app definition as `{command: 'definition'}` gives it (what `validate` sends to Zapier). */
export const AppDefinition = z.looseObject({
  flags: z.looseObject({ cleanInputData: z.boolean().optional() }).optional(),
  authentication: z.looseObject({ type: z.string(), fields: z.array(Field).optional(), connectionLabel: z.unknown().optional() }).optional(),
  triggers: z.record(z.string(), Component).default({}),
  searches: z.record(z.string(), Component).default({}),
  creates: z.record(z.string(), Component).default({}),
  searchOrCreates: z.record(z.string(), z.looseObject({ key: z.string(), search: z.string(), create: z.string() })).default({}),
});
export type AppDefinition = z.infer<typeof AppDefinition>;

/** The definition `zapier-platform validate` builds and sends to the style check, built the same way. */
export async function definitionOf(app: object): Promise<AppDefinition> {
  // createAppHandler exists at run time but not in zapier-platform-core's types.
  if (!('createAppHandler' in zapierCore) || typeof zapierCore.createAppHandler !== 'function') throw new Error('zapier-platform-core has no createAppHandler');
  const handler: unknown = zapierCore.createAppHandler(app);
  if (typeof handler !== 'function') throw new Error('createAppHandler returned no handler');
  const answer: unknown = await handler({ command: 'definition' });
  return z.object({ results: AppDefinition }).parse(answer).results;
}

export interface StyleRule {
  /** Zapier's check ID ("D021"), or "guidelines" for a rule of the build guidelines. */
  id: string;
  title: string;
  source: string;
  /** One line per violation, naming where it is; empty when the definition passes. */
  check(definition: AppDefinition): string[];
}

type Kind = 'trigger' | 'search' | 'create';

interface Located {
  kind: Kind;
  key: string;
  component: Component;
}

function components(definition: AppDefinition): Located[] {
  const of = (kind: Kind, record: Record<string, Component>) => Object.entries(record).map(([key, component]) => ({ kind, key, component }));
  return [...of('trigger', definition.triggers), ...of('search', definition.searches), ...of('create', definition.creates)];
}

const visible = (located: Located) => located.component.display.hidden !== true;
const plain = (fields: Array<Field | string> | undefined): Field[] => (fields ?? []).filter((field): field is Field => typeof field !== 'string');

/** Every input field of every trigger, search and create, with where it is. */
function inputFields(definition: AppDefinition): Array<{ where: string; field: Field }> {
  return components(definition).flatMap(({ kind, key, component }) =>
    plain(component.operation.inputFields).map((field) => ({ where: `${kind} ${key}, input field ${field.key}`, field })),
  );
}

function authFields(definition: AppDefinition): Array<{ where: string; field: Field }> {
  return (definition.authentication?.fields ?? []).map((field) => ({ where: `auth field ${field.key}`, field }));
}

/**
 * The texts a Zap builder reads: descriptions and help texts, which Zapier renders as Markdown,
 * and placeholders, which it shows as typed.
 */
function texts(definition: AppDefinition): Array<{ where: string; text: string; markdown: boolean }> {
  const out: Array<{ where: string; text: string; markdown: boolean }> = [];
  for (const { kind, key, component } of components(definition)) {
    if (component.display.description) out.push({ where: `${kind} ${key} description`, text: component.display.description, markdown: true });
  }
  for (const { where, field } of [...authFields(definition), ...inputFields(definition)]) {
    if (field.helpText) out.push({ where: `${where} help text`, text: field.helpText, markdown: true });
    if (field.placeholder) out.push({ where: `${where} placeholder`, text: field.placeholder, markdown: false });
  }
  return out;
}

/** Every string anywhere in `value`, with its path. */
function strings(value: unknown, path: string): Array<{ where: string; text: string }> {
  if (typeof value === 'string') return [{ where: path, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => strings(item, `${path}[${index}]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => strings(item, path ? `${path}.${key}` : key));
  return [];
}

/** The value at a Zapier output-field key: "learner__email" is sample.learner.email. */
function sampleValue(sample: Record<string, unknown>, key: string): unknown {
  let value: unknown = sample;
  for (const part of key.split('__')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

// ISO 8601 as the check's examples have it: a date, or a date-time with a zone (Z, -0500, -05:00).
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const isIsoDateOrDateTime = (text: string) => ISO_DATE.test(text) || ISO_DATE_TIME.test(text);

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s`)\]]+/gi;
const CREDENTIAL = /api_?key|token|secret|passw(or)?d|credential/i;

/** Words title case leaves lower-case inside a label (the page names no list; these are the usual ones). */
const SMALL_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'but', 'by', 'for', 'if', 'in', 'nor', 'of', 'on', 'or', 'the', 'to', 'via', 'vs']);

export function titleCaseProblem(label: string): string | null {
  const words = label.split(/\s+/).filter(Boolean);
  for (const [index, word] of words.entries()) {
    const small = index > 0 && SMALL_WORDS.has(word.toLowerCase());
    if (small ? word !== word.toLowerCase() : !/^[A-Z0-9("'“]/.test(word)) return `"${word}"`;
  }
  return null;
}

/** What is left of a text once code spans and well-formed Markdown links are taken out. */
function outsideCodeAndLinks(text: string): string {
  return text.replace(/`[^`]*`/g, '').replace(/\[[^\]\n]+\]\((https?:\/\/|mailto:)[^\s()]+\)/g, '');
}

function valueMatches(type: string | undefined, value: unknown): boolean {
  switch (type) {
    case undefined:
    case 'string':
    case 'text':
    case 'password':
    case 'file':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'datetime':
      return typeof value === 'string' && isIsoDateOrDateTime(value);
    default:
      return false;
  }
}

export const STYLE_RULES: readonly StyleRule[] = [
  {
    id: 'D001',
    title: 'input fields ask for no credential',
    source: `${CHECKS}#D001`,
    check: (definition) => inputFields(definition).flatMap(({ where, field }) => (CREDENTIAL.test(field.key) ? [`${where}: its key names a credential`] : [])),
  },
  {
    id: 'D003',
    title: 'the connection label names the connection from test data and shows no credential',
    source: `${CHECKS}#D003`,
    check: (definition) => {
      const label = definition.authentication?.connectionLabel;
      if (label === undefined) return ['authentication has no connection label'];
      if (typeof label !== 'string') return [];
      const variables = [...label.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].map((match) => match[1] ?? '');
      const problems = variables.filter((variable) => CREDENTIAL.test(variable)).map((variable) => `connection label shows ${variable}`);
      if (variables.length === 0) problems.push(`connection label "${label}" is the same for every connection`);
      return problems;
    },
  },
  {
    id: 'D004',
    title: 'ID input fields have a dynamic dropdown',
    source: `${CHECKS}#D004`,
    check: (definition) =>
      inputFields(definition).flatMap(({ where, field }) =>
        (/(^|_)id$/i.test(field.key) || /\bID$/.test(field.label ?? '')) && !field.dynamic ? [`${where}: an ID with no dynamic dropdown`] : [],
      ),
  },
  {
    id: 'D005',
    title: 'every dynamic dropdown names a trigger the app has',
    source: `${CHECKS}#D005`,
    check: (definition) =>
      inputFields(definition).flatMap(({ where, field }) => {
        const trigger = field.dynamic?.split('.')[0];
        return trigger !== undefined && !(trigger in definition.triggers) ? [`${where}: dynamic names no trigger "${trigger}"`] : [];
      }),
  },
  {
    id: 'D006',
    title: 'every REST hook trigger has a performList for samples',
    source: `${CHECKS}#D006`,
    check: (definition) =>
      components(definition).flatMap(({ kind, key, component }) =>
        kind === 'trigger' && component.operation.type === 'hook' && component.operation.performList === undefined ? [`trigger ${key}: no performList`] : [],
      ),
  },
  {
    id: 'D007',
    title: 'URLs in descriptions, help texts and placeholders are HTTPS',
    source: `${CHECKS}#D007`,
    // Samples are left out: their http:// strings are xAPI verb and activity IRIs, names that are
    // never fetched, and the app's requests are built in code, not written in the definition.
    check: (definition) =>
      texts(definition).flatMap(({ where, text }) =>
        [...text.matchAll(URL_IN_TEXT)].map((match) => match[0]).flatMap((url) => (url.startsWith('https://') ? [] : [`${where}: ${url}`])),
      ),
  },
  {
    id: 'D008',
    title: 'a URL in a description or help text is a Markdown link or in backticks',
    source: `${CHECKS}#D008`,
    check: (definition) =>
      texts(definition).flatMap(({ where, text, markdown }) => {
        if (!markdown) return [];
        const rest = outsideCodeAndLinks(text);
        return /\b[a-z][a-z0-9+.-]*:\/\/|\bwww\./i.test(rest) || /\]\s*\(/.test(rest) ? [`${where}: a bare or broken link in "${text}"`] : [];
      }),
  },
  {
    id: 'D009',
    title: 'every search has a field to search by',
    source: `${CHECKS}#D009`,
    check: (definition) =>
      components(definition).flatMap(({ kind, key, component }) =>
        kind === 'search' && (component.operation.inputFields ?? []).length === 0 ? [`search ${key}: no input field`] : [],
      ),
  },
  {
    id: 'D010',
    title: "every polling trigger's static sample has its primary key",
    source: `${CHECKS}#D010`,
    check: (definition) =>
      components(definition).flatMap(({ kind, key, component }) => {
        const { sample, type, outputFields } = component.operation;
        if (kind !== 'trigger' || type === 'hook' || sample === undefined) return [];
        const primary = plain(outputFields).filter((field) => field.primary);
        const keys = primary.length > 0 ? primary.map((field) => field.key) : ['id'];
        return keys.filter((field) => sampleValue(sample, field) == null).map((field) => `trigger ${key}: sample has no ${field}`);
      }),
  },
  {
    id: 'D011',
    title: 'no help text repeats its label',
    source: `${CHECKS}#D011`,
    check: (definition) => {
      const squash = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');
      return [...authFields(definition), ...inputFields(definition)].flatMap(({ where, field }) =>
        field.helpText !== undefined && squash(field.helpText) === squash(field.label ?? field.key) ? [`${where}: help text repeats the label`] : [],
      );
    },
  },
  {
    id: 'D012',
    title: 'every visible trigger and search has a static sample',
    source: `${CHECKS}#D012`,
    check: (definition) =>
      components(definition)
        .filter(visible)
        .flatMap(({ kind, key, component }) => (component.operation.sample === undefined ? [`${kind} ${key}: no sample`] : [])),
  },
  {
    id: 'D013',
    title: 'every search-powered field names a search the app has',
    source: `${CHECKS}#D013`,
    check: (definition) =>
      inputFields(definition).flatMap(({ where, field }) => {
        const search = field.search?.split('.')[0];
        return search !== undefined && !(search in definition.searches) ? [`${where}: search names no search "${search}"`] : [];
      }),
  },
  {
    id: 'D014',
    title: 'a search-powered field is a plain string or number, not a list, dict or children',
    source: `${CHECKS}#D014`,
    check: (definition) =>
      inputFields(definition).flatMap(({ where, field }) => {
        if (field.search === undefined) return [];
        const typeOk = field.type === undefined || ['string', 'number', 'integer'].includes(field.type);
        return typeOk && !field.list && !field.dict && field.children === undefined ? [] : [`${where}: search with type ${field.type}, list, dict or children`];
      }),
  },
  {
    id: 'D015',
    title: 'every search-or-create names a search and a create the app has',
    source: `${CHECKS}#D015`,
    check: (definition) =>
      Object.entries(definition.searchOrCreates).flatMap(([key, pair]) => [
        ...(pair.search in definition.searches ? [] : [`searchOrCreate ${key}: no search ${pair.search}`]),
        ...(pair.create in definition.creates ? [] : [`searchOrCreate ${key}: no create ${pair.create}`]),
      ]),
  },
  {
    id: 'D016/D017',
    title: 'every REST hook trigger subscribes and unsubscribes (no static webhook)',
    source: `${CHECKS}#D017`,
    check: (definition) =>
      components(definition).flatMap(({ kind, key, component }) => {
        const { type, performSubscribe, performUnsubscribe } = component.operation;
        return kind === 'trigger' && type === 'hook' && (performSubscribe === undefined || performUnsubscribe === undefined)
          ? [`trigger ${key}: a static webhook`]
          : [];
      }),
  },
  {
    id: 'D018',
    title: 'trigger and search labels are in title case',
    source: `${CHECKS}#D018`,
    check: (definition) =>
      components(definition).flatMap(({ kind, key, component }) => {
        const word = titleCaseProblem(component.display.label ?? '');
        return word ? [`${kind} ${key}: ${word} in "${component.display.label}" breaks title case`] : [];
      }),
  },
  {
    id: 'D021',
    title: 'trigger descriptions start "Triggers when " and end with a full stop',
    source: `${CHECKS}#D021`,
    check: (definition) =>
      components(definition).flatMap(({ kind, key, component }) => {
        const description = component.display.description ?? '';
        return kind === 'trigger' && !/^Triggers when .+\.$/s.test(description) ? [`trigger ${key}: "${description}"`] : [];
      }),
  },
  {
    id: 'D023',
    title: 'dates and times in static samples are ISO 8601, with a time zone when they have a time',
    source: `${CHECKS}#D023`,
    check: (definition) =>
      components(definition).flatMap(({ kind, key, component }) =>
        strings(component.operation.sample ?? {}, '')
          .filter(({ text }) => /^\d{4}-\d{2}-\d{2}/.test(text) && !isIsoDateOrDateTime(text))
          .map(({ where, text }) => `${kind} ${key}: sample ${where} is "${text}"`),
      ),
  },
  {
    id: 'D024',
    title: "static samples hold every required output field, each of its field's type",
    source: `${CHECKS}#D024`,
    // A null or missing value is no type mismatch: the catalog's optional parts are null in some
    // events, and Zapier's page only asks that required fields be there.
    check: (definition) =>
      components(definition).flatMap(({ kind, key, component }) => {
        const { sample, outputFields } = component.operation;
        if (sample === undefined) return [];
        return plain(outputFields).flatMap((field) => {
          const value = sampleValue(sample, field.key);
          if (value == null) return field.required ? [`${kind} ${key}: sample lacks required ${field.key}`] : [];
          const fits = field.list ? Array.isArray(value) && value.every((item) => valueMatches(field.type, item)) : valueMatches(field.type, value);
          return fits
            ? []
            : [`${kind} ${key}: sample ${field.key} = ${JSON.stringify(value)} is not ${field.list ? 'a list of ' : ''}${field.type ?? 'string'}`];
        });
      }),
  },
  {
    id: 'D025',
    title: 'no string in the definition is a javascript:, vbscript: or data: URI',
    source: `${CHECKS}#D025`,
    check: (definition) =>
      strings(definition, '')
        .filter(({ text }) => /(^|[\s("'[])(javascript|vbscript|data):/i.test(text))
        .map(({ where, text }) => `${where}: "${text}"`),
  },
  {
    id: 'D028',
    title: 'cleanInputData is off, for the app and every operation',
    source: `${CHECKS}#D028`,
    check: (definition) => [
      ...(definition.flags?.cleanInputData === false ? [] : ['flags.cleanInputData is not false']),
      ...components(definition).flatMap(({ kind, key, component }) => (component.operation.cleanInputData === true ? [`${kind} ${key}: cleanInputData`] : [])),
    ],
  },
  {
    id: 'guidelines',
    title: 'searches are labelled "Find ..." and described "Finds ... ."',
    source: `${GUIDELINES}#search-design-and-copy`,
    check: (definition) =>
      components(definition).flatMap(({ kind, key, component }) => {
        const { label = '', description = '' } = component.display;
        return kind === 'search' && !(/^Find [A-Z]/.test(label) && /^Finds .+\.$/s.test(description)) ? [`search ${key}: "${label}", "${description}"`] : [];
      }),
  },
  {
    id: 'guidelines',
    title: 'descriptions do not name the integration',
    source: `${GUIDELINES}#trigger-design-and-copy`,
    check: (definition) =>
      components(definition).flatMap(({ kind, key, component }) =>
        /learnhook/i.test(component.display.description ?? '') ? [`${kind} ${key}: names learnhook`] : [],
      ),
  },
  {
    id: 'guidelines',
    title: 'every visible trigger and search has a singular noun',
    source: `${GUIDELINES}#trigger-design-and-copy`,
    // Plural by its spelling: ends in one "s" (Credits), not "ss" (Class) or "us" (Status).
    check: (definition) =>
      components(definition)
        .filter(visible)
        .flatMap(({ kind, key, component }) => (!component.noun || /[^su]s$/.test(component.noun) ? [`${kind} ${key}: noun "${component.noun}"`] : [])),
  },
  {
    id: 'guidelines',
    title: 'every auth and input field has a label and help text, and no trigger or search field is labelled "... ID"',
    source: `${GUIDELINES}#trigger-input-fields`,
    check: (definition) =>
      [...authFields(definition), ...inputFields(definition)].flatMap(({ where, field }) => [
        ...(field.label ? [] : [`${where}: no label`]),
        ...(field.helpText ? [] : [`${where}: no help text`]),
        ...(/\bID$/.test(field.label ?? '') ? [`${where}: labelled "${field.label}"`] : []),
      ]),
  },
  {
    id: 'guidelines',
    title: 'every output field has a label',
    source: `${GUIDELINES}#output-fields`,
    check: (definition) =>
      components(definition).flatMap(({ kind, key, component }) =>
        plain(component.operation.outputFields).flatMap((field) => (field.label ? [] : [`${kind} ${key}: output field ${field.key} has no label`])),
      ),
  },
];

/**
 * Check M002 on the app's description, which is not in the definition: `zapier-platform register
 * --desc` sets it. It starts "<title> is a", says neither "Zapier" nor "sync", 40 to 140 characters.
 */
export function appDescriptionProblems(title: string, description: string): string[] {
  const problems: string[] = [];
  if (!description.startsWith(`${title} is a`)) problems.push(`does not start "${title} is a"`);
  if (/zapier/i.test(description)) problems.push('says "Zapier"');
  if (/\bsync/i.test(description)) problems.push('talks of syncing');
  if (description.length < 40 || description.length > 140) problems.push(`is ${description.length} characters, not 40 to 140`);
  return problems;
}
