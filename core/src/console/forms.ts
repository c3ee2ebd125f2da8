import { z } from 'zod';
import type { PayloadError } from '../errors.ts';
import { isSecretJson } from '../secret-fields.ts';
import { html, type SafeHtml } from './html.ts';
import { field } from './layout.ts';

/**
 * Console forms generated from the same zod schemas the API validates with (STYLE 18), read
 * through their JSON Schema: titles become labels, descriptions hints, enums choices. A field's
 * name is its path in the API's request body ("api.base_url"), so the API's error paths land
 * beside the field they concern.
 */
export interface FormField {
  name: string;
  label: string;
  hint?: string;
  kind: 'text' | 'url' | 'secret' | 'choice' | 'lines';
  choices?: string[];
  required: boolean;
  /** The value the API fills in when the field is left empty. */
  placeholder?: string;
  /** The fieldset it belongs to (a nested object's title). */
  group?: string;
}

type JsonSchema = z.core.JSONSchema.JSONSchema;

/** A property's schema; `true`/`false` (anything / nothing) have no fields to show. */
const propertiesOf = (schema: JsonSchema): [string, JsonSchema][] =>
  Object.entries(schema.properties ?? {}).flatMap(([key, property]) => (typeof property === 'boolean' ? [] : [[key, property] as [string, JsonSchema]]));

const humanise = (key: string) => key.replace(/_/g, ' ').replace(/^\w/, (char) => char.toUpperCase());

function leaf(name: string, key: string, schema: JsonSchema, required: boolean, group?: string): FormField {
  const choices = schema.enum?.map(String);
  const kind: FormField['kind'] = choices
    ? 'choice'
    : schema.type === 'array'
      ? 'lines'
      : isSecretJson(schema)
        ? 'secret'
        : schema.format === 'uri'
          ? 'url'
          : 'text';
  return {
    name,
    label: schema.title ?? humanise(key),
    ...(schema.description ? { hint: schema.description } : {}),
    kind,
    ...(choices ? { choices } : {}),
    required,
    ...(typeof schema.default === 'string' ? { placeholder: schema.default } : {}),
    ...(group ? { group } : {}),
  };
}

function objectFields(schema: JsonSchema, prefix: string, group?: string): FormField[] {
  const required = new Set(schema.required ?? []);
  return propertiesOf(schema).flatMap(([key, property]) =>
    property.type === 'object' && property.properties
      ? objectFields(property, `${prefix}${key}.`, property.title ?? humanise(key))
      : [leaf(`${prefix}${key}`, key, property, required.has(key), group)],
  );
}

/**
 * A union of objects told apart by one constant property (Adobe Learning Manager's auth: none,
 * basic or signature) becomes a choice of that property plus every variant's other fields, each
 * hinted with the choice it belongs to.
 */
function unionFields(variants: JsonSchema[], prefix: string): FormField[] {
  const constOf = (variant: JsonSchema, key: string) => propertiesOf(variant).find(([name]) => name === key)?.[1].const;
  const discriminator = propertiesOf(variants[0] ?? {})
    .map(([key]) => key)
    .find((key) => variants.every((variant) => constOf(variant, key) !== undefined));
  if (!discriminator) return variants.flatMap((variant) => objectFields(variant, prefix));
  const values = variants.map((variant) => String(constOf(variant, discriminator)));
  const choice: FormField = { name: `${prefix}${discriminator}`, label: humanise(discriminator), kind: 'choice', choices: values, required: true };
  const others = variants.flatMap((variant) => {
    const value = String(constOf(variant, discriminator));
    const rest = Object.fromEntries(propertiesOf(variant).filter(([key]) => key !== discriminator));
    return objectFields({ ...variant, properties: rest }, prefix).map((item) => ({
      ...item,
      required: false,
      hint: `Only for ${humanise(discriminator).toLowerCase()} "${value}".${item.hint ? ` ${item.hint}` : ''}`,
    }));
  });
  return [choice, ...others];
}

/** A schema's fields; those marked with `secret(...)` (secret-fields.ts) become password inputs. */
export function fieldsOf(schema: z.ZodType, options: { prefix?: string } = {}): FormField[] {
  const json: JsonSchema = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  const prefix = options.prefix ?? '';
  const variants = json.oneOf ?? json.anyOf;
  return variants ? unionFields(variants, prefix) : objectFields(json, prefix);
}

const formOf = (body: unknown): Record<string, unknown> => (typeof body === 'object' && body !== null ? Object.fromEntries(Object.entries(body)) : {});

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = target[head];
  const next: Record<string, unknown> = typeof child === 'object' && child !== null && !Array.isArray(child) ? (child as Record<string, unknown>) : {};
  target[head] = next;
  setPath(next, rest, value);
}

/**
 * The request body the API would receive for this form: each non-empty field at its path. Empty
 * fields are left out, so the API's defaults (generated secrets, the vendor's base URL) apply.
 */
export function formInput(body: unknown, fields: readonly FormField[]): Record<string, unknown> {
  const form = formOf(body);
  const input: Record<string, unknown> = {};
  for (const item of fields) {
    const raw = form[item.name];
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (!text) continue;
    const value =
      item.kind === 'lines'
        ? text
            .split(/\r?\n/)
            .map((line) => line.trim())
            .filter(Boolean)
        : text;
    setPath(input, item.name.split('.'), value);
  }
  return input;
}

/** What the person typed, to show again beside the errors; secrets are never sent back. */
export function typedValues(body: unknown, fields: readonly FormField[]): Record<string, string> {
  const form = formOf(body);
  return Object.fromEntries(
    fields.filter((item) => item.kind !== 'secret').map((item) => [item.name, typeof form[item.name] === 'string' ? String(form[item.name]) : '']),
  );
}

/** Field path -> first message, from the API's PayloadError; one without issues is about the whole form. */
export function issuesByField(error: PayloadError): Record<string, string> {
  if (!error.issues.length) return { _form: error.message };
  const errors: Record<string, string> = {};
  for (const issue of error.issues) errors[issue.path || '_form'] ??= issue.message;
  return errors;
}

/** The error for a field, or for the object it sits in (a union's variant failing as a whole). */
function errorFor(errors: Record<string, string>, name: string): string | undefined {
  return errors[name] ?? (name.includes('.') ? undefined : errors[name.split('.')[0] ?? '']);
}

function control(item: FormField, value: string, error: string | undefined): SafeHtml {
  if (item.kind === 'choice') {
    const id = `f-${item.name.replace(/[^\w-]/g, '-')}`;
    return html`<div class="field${error ? ' invalid' : ''}">
      <label for="${id}">${item.label}</label>
      ${item.hint ? html`<p class="hint">${item.hint}</p>` : ''}
      <select id="${id}" name="${item.name}">${(item.choices ?? []).map((choice) => html`<option value="${choice}"${choice === value ? html` selected` : ''}>${choice}</option>`)}</select>
      ${error ? html`<p class="error">${error}</p>` : ''}
    </div>`;
  }
  if (item.kind === 'lines') {
    const id = `f-${item.name.replace(/[^\w-]/g, '-')}`;
    return html`<div class="field${error ? ' invalid' : ''}">
      <label for="${id}">${item.label}${item.required ? '' : ' (optional)'}</label>
      <p class="hint">${item.hint ? `${item.hint} ` : ''}One per line.</p>
      <textarea id="${id}" name="${item.name}" rows="3" autocomplete="off"></textarea>
      ${error ? html`<p class="error">${error}</p>` : ''}
    </div>`;
  }
  const hint = [item.hint, item.placeholder ? `Leave empty for ${item.placeholder}.` : ''].filter(Boolean).join(' ');
  return field({
    name: item.name,
    label: `${item.label}${item.required ? '' : ' (optional)'}`,
    type: item.kind === 'secret' ? 'password' : item.kind === 'url' ? 'url' : 'text',
    value: item.kind === 'secret' ? '' : value,
    error,
    ...(hint ? { hint } : {}),
    autocomplete: item.kind === 'secret' ? 'new-password' : 'off',
  });
}

/** The fields as HTML, grouped into fieldsets where the schema nests. Secrets are never echoed back. */
export function renderFields(fields: readonly FormField[], values: Record<string, string>, errors: Record<string, string>): SafeHtml {
  const groups: { title: string | undefined; items: FormField[] }[] = [];
  for (const item of fields) {
    const last = groups.at(-1);
    if (last && last.title === item.group) last.items.push(item);
    else groups.push({ title: item.group, items: [item] });
  }
  return html`${groups.map(({ title, items }) => {
    const controls = items.map((item) => control(item, values[item.name] ?? '', errorFor(errors, item.name)));
    return title ? html`<fieldset><legend>${title}</legend>${controls}</fieldset>` : html`${controls}`;
  })}`;
}
