import { describe, expect, it } from 'vitest';
import { OPERATIONS, openApiDocument } from './openapi.ts';

type Paths = Record<string, Record<string, { security: Array<Record<string, string[]>>; description?: string; requestBody?: { required: boolean } }>>;
const paths = (openApiDocument('1.2.3') as { paths: Paths }).paths;
const operation = (path: string, method: string) => paths[path]?.[method];

describe('openApiDocument', () => {
  it('lists each method and path of OPERATIONS once', () => {
    const keys = OPERATIONS.map(({ method, path }) => `${method} ${path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(Object.values(paths).flatMap((methods) => Object.keys(methods))).toHaveLength(keys.length);
  });

  it('states who may call each route as security requirements whose roles are key scopes', () => {
    expect(operation('/healthz', 'get')?.security).toEqual([]);
    expect(operation('/ingest/{connection}/{token}', 'post')?.security).toEqual([]);
    expect(operation('/v1/me', 'get')?.security).toEqual([{ bearer: [] }]);
    expect(operation('/v1/hooks', 'post')?.security).toEqual([{ bearer: ['hooks'] }, { bearer: ['admin'] }]);
    expect(operation('/v1/lookup/courses', 'get')?.security).toEqual([{ bearer: ['events'] }, { bearer: ['hooks'] }, { bearer: ['admin'] }]);
    expect(operation('/v1/lookup/courses', 'get')?.description).toContain('events or hooks scope');
    expect(operation('/v1/audit', 'get')?.security).toEqual([{ bearer: ['admin'] }]);
  });

  it('marks a body that may be left out as not required', () => {
    expect(operation('/v1/hooks', 'post')?.requestBody?.required).toBe(true);
    expect(operation('/v1/events/{id}/replay', 'post')?.requestBody?.required).toBe(false);
  });

  it('lists a second success answer beside the usual one: a deleted connection whose registration the LMS kept', () => {
    const responses = (operation('/v1/connections/{id}', 'delete') as unknown as { responses: Record<string, { description: string }> }).responses;
    expect(Object.keys(responses).sort()).toEqual(['200', '204', 'default']);
    expect(responses['200']?.description).toMatch(/remove by hand/);
  });

  it("publishes a credential the schemas mark as a password the hub is given and never answers whole: a custom preview's verify secret", () => {
    const preview = operation('/v1/connections/{id}/preview', 'post') as unknown as {
      requestBody: { content: { 'application/json': { schema: { properties: { verify: { properties: Record<string, unknown> } } } } } };
    };
    const verify = preview.requestBody.content['application/json'].schema.properties.verify.properties;
    expect(verify.secret).toMatchObject({ type: 'string', format: 'password', writeOnly: true });
    expect(verify.header).not.toHaveProperty('writeOnly');
    expect(JSON.stringify(paths)).not.toContain('"secret":true');
  });
});
