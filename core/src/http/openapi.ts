import { z } from 'zod';
import { CatalogEventSchema } from '../catalog/index.ts';
import { PreviewAnswer, PreviewRequest } from '../operations/custom-preview.ts';
import {
  Attempt,
  AuditItem,
  Connection,
  ConnectionCreateBase,
  ConnectionDeletedKeepingRegistration,
  ConnectionPatchBase,
  Delivery,
  DeliveryListParams,
  EventListParams,
  Hook,
  HookCreate,
  HookListParams,
  HookPatch,
  HookRotateRequest,
  HookTestRequest,
  HookTestResult,
  HookWithSecret,
  LookupParams,
  Me,
  PageParams,
  ReplayRequest,
} from '../operations/schemas.ts';
import { publishSecret } from '../secret-fields.ts';
import type { ApiScope } from '../store/store.ts';

/**
 * GET /v1/openapi.json, generated from the same zod schemas the routes validate with, so the
 * document cannot drift from what the hub accepts and answers.
 */
export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  /** 'none': public; 'any key': any valid key; else a key with one of these scopes (admin keys may do everything). */
  scope: 'any key' | 'none' | ApiScope | readonly ApiScope[];
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The body may be left out (it has defaults for everything). */
  bodyOptional?: boolean;
  response?: z.ZodType;
  /** The response's media type when it is not JSON. */
  responseType?: string;
  status?: number;
  /** A second success answer some calls give, beside `status`. */
  alsoAnswers?: { status: number; description: string; response: z.ZodType };
}

const list = (item: z.ZodType) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });
const Catalog = z.object({
  version: z.int().meta({ description: 'Goes up by one whenever event types are added; types are never removed or changed incompatibly.' }),
  data: z.array(
    z.object({ type: z.string(), title: z.string(), description: z.string(), noun: z.string(), sample: z.unknown(), fields: z.array(z.unknown()) }),
  ),
});
const Replay = z.object({ deliveries: z.array(z.object({ id: z.string(), hook_id: z.string() })) });
const Ingested = z.object({ accepted: z.number(), duplicates: z.number(), event_ids: z.array(z.string()) });

/** Every route the hub serves. */
export const OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness; 503 with status store_unavailable while the store cannot write (disk full, read-only)',
    scope: 'none',
    response: z.object({ status: z.literal('ok'), version: z.string(), store: z.object({ writable: z.literal(true) }) }),
  },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics', scope: 'none', response: z.string(), responseType: 'text/plain' },
  { method: 'get', path: '/v1/openapi.json', summary: 'This document', scope: 'none', response: z.record(z.string(), z.unknown()) },
  { method: 'get', path: '/v1/me', summary: 'The calling key (credential test)', scope: 'any key', response: Me },
  { method: 'get', path: '/v1/catalog', summary: 'Event types with titles, samples and fields', scope: 'any key', response: Catalog },
  { method: 'post', path: '/v1/hooks', summary: 'Subscribe a URL to events', scope: 'hooks', body: HookCreate, response: Hook, status: 201 },
  { method: 'get', path: '/v1/hooks', summary: 'List subscriptions', scope: 'hooks', query: HookListParams, response: list(Hook) },
  { method: 'get', path: '/v1/hooks/{id}', summary: 'One subscription', scope: 'hooks', response: Hook },
  { method: 'patch', path: '/v1/hooks/{id}', summary: 'Change, pause or resume a subscription', scope: 'hooks', body: HookPatch, response: Hook },
  { method: 'delete', path: '/v1/hooks/{id}', summary: 'Unsubscribe', scope: 'hooks', status: 204 },
  {
    method: 'post',
    path: '/v1/hooks/{id}/test',
    summary: "Send a sample event and answer the target's response",
    scope: 'hooks',
    body: HookTestRequest,
    bodyOptional: true,
    response: HookTestResult,
  },
  {
    method: 'post',
    path: '/v1/hooks/{id}/rotate-secret',
    summary: 'Issue a new signing secret (the previous one keeps signing beside it for the overlap)',
    scope: 'hooks',
    body: HookRotateRequest,
    bodyOptional: true,
    response: HookWithSecret,
  },
  { method: 'get', path: '/v1/events', summary: 'Events, newest first', scope: 'events', query: EventListParams, response: list(CatalogEventSchema) },
  { method: 'get', path: '/v1/events/{id}', summary: 'One event', scope: 'events', response: CatalogEventSchema },
  {
    method: 'post',
    path: '/v1/events/{id}/replay',
    summary: 'Deliver an event again',
    scope: 'events',
    body: ReplayRequest,
    bodyOptional: true,
    response: Replay,
    status: 202,
  },
  { method: 'get', path: '/v1/deliveries', summary: 'Deliveries, newest first', scope: 'hooks', query: DeliveryListParams, response: list(Delivery) },
  {
    method: 'get',
    path: '/v1/deliveries/{id}',
    summary: 'One delivery with its attempts',
    scope: 'hooks',
    response: Delivery.extend({ attempts: z.array(Attempt) }),
  },
  { method: 'post', path: '/v1/deliveries/{id}/retry', summary: 'Send a delivery again now', scope: 'hooks', response: Delivery, status: 202 },
  { method: 'get', path: '/v1/lookup/courses', summary: 'Courses for dropdowns', scope: ['events', 'hooks'], query: LookupParams, response: list(z.unknown()) },
  { method: 'get', path: '/v1/lookup/users', summary: 'Users for searches', scope: ['events', 'hooks'], query: LookupParams, response: list(z.unknown()) },
  {
    method: 'post',
    path: '/v1/connections',
    summary: "Add an LMS source; answers its ingest URL (the vendor's auth settings stand beside these fields)",
    scope: 'admin',
    body: ConnectionCreateBase.loose(),
    response: Connection,
    status: 201,
  },
  { method: 'get', path: '/v1/connections', summary: 'List LMS sources', scope: 'admin', query: PageParams, response: list(Connection) },
  { method: 'get', path: '/v1/connections/{id}', summary: 'One LMS source', scope: 'admin', response: Connection },
  {
    method: 'patch',
    path: '/v1/connections/{id}',
    summary: 'Change an LMS source, or rotate its ingest URL',
    scope: 'admin',
    body: ConnectionPatchBase.loose(),
    response: Connection,
  },
  {
    method: 'post',
    path: '/v1/connections/{id}/preview',
    summary: "A custom connection's draft mapping applied to its latest requests or a sample: the envelopes and problems, storing nothing",
    scope: 'admin',
    body: PreviewRequest,
    bodyOptional: true,
    response: PreviewAnswer,
  },
  {
    method: 'delete',
    path: '/v1/connections/{id}',
    summary: 'Remove an LMS source',
    scope: 'admin',
    status: 204,
    alsoAnswers: {
      status: 200,
      description: 'Deleted, but the LMS kept the webhook registration the hub made there: the message says what to remove by hand',
      response: ConnectionDeletedKeepingRegistration,
    },
  },
  { method: 'get', path: '/v1/audit', summary: 'Admin actions, newest first', scope: 'admin', query: PageParams, response: list(AuditItem) },
  {
    method: 'post',
    path: '/ingest/{connection}/{token}',
    summary: "Where the LMS sends its webhooks (the vendor's own format)",
    scope: 'none',
    response: Ingested,
    status: 202,
  },
  {
    method: 'get',
    path: '/ingest/{connection}/{token}',
    summary: "The LMS's check of its webhook URL (Learn365: answers the echo value)",
    scope: 'none',
    query: z.object({ echo: z.string() }),
    response: z.string(),
    responseType: 'text/plain',
  },
  {
    method: 'post',
    path: '/ingest/{connection}/{token}/xapi/statements',
    summary: 'xAPI LRS endpoint: answers the statement ids',
    scope: 'none',
    response: z.array(z.string()),
    status: 200,
  },
  {
    method: 'put',
    path: '/ingest/{connection}/{token}/xapi/statements',
    summary: 'xAPI LRS endpoint: stores one statement (?statementId=), answers 204',
    scope: 'none',
    status: 204,
  },
];

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }) });

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12', override: publishSecret });

/** Who may call: OpenAPI's security requirements, with the key scopes as role names (any one suffices). */
function security(scope: Operation['scope']): Array<Record<string, string[]>> {
  if (scope === 'none') return [];
  if (scope === 'any key') return [{ bearer: [] }];
  const scopes: readonly ApiScope[] = typeof scope === 'string' ? [scope] : scope;
  return [...new Set([...scopes, 'admin'])].map((role) => ({ bearer: [role] }));
}

function accessText(scope: Operation['scope']): string | null {
  if (scope === 'none') return null;
  if (scope === 'any key') return 'Needs an API key.';
  const scopes: readonly ApiScope[] = typeof scope === 'string' ? [scope] : scope;
  return `Needs an API key with the ${scopes.join(' or ')} scope (admin keys may do everything).`;
}

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    const parameters = [
      ...[...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...Object.entries(operation.query?.shape ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema: jsonSchema(schema, 'input') })),
    ];
    const status = String(operation.status ?? 200);
    const access = accessText(operation.scope);
    const path = paths[operation.path] ?? {};
    paths[operation.path] = path;
    path[operation.method] = {
      summary: operation.summary,
      security: security(operation.scope),
      ...(access ? { description: access } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(operation.body
        ? { requestBody: { required: !operation.bodyOptional, content: { 'application/json': { schema: jsonSchema(operation.body, 'input') } } } }
        : {}),
      responses: {
        [status]: operation.response
          ? { description: 'OK', content: { [operation.responseType ?? 'application/json']: { schema: jsonSchema(operation.response, 'output') } } }
          : { description: 'Done' },
        ...(operation.alsoAnswers
          ? {
              [String(operation.alsoAnswers.status)]: {
                description: operation.alsoAnswers.description,
                content: { 'application/json': { schema: jsonSchema(operation.alsoAnswers.response, 'output') } },
              },
            }
          : {}),
        default: { description: 'Error', content: { 'application/json': { schema: jsonSchema(ErrorBody, 'output') } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'learnhook hub API', version, description: 'LMS events in, REST-hook deliveries out. Errors: {error:{code,message,details}}.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A learnhook API key (lh_...).' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
