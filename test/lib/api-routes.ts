/**
 * The API's routes as tests walk them: read from the served /v1/openapi.json (what integrators
 * see) or core's OPERATIONS, filled in with ids, and the answers that tell "not routed" apart.
 */

/** The parts of /v1/openapi.json the tests read. */
export type SecurityRequirement = Record<string, string[]>;
export interface JsonSchema {
  type?: string;
  required?: string[];
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
}
export interface OpenApiOperation {
  security?: SecurityRequirement[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
}
export interface OpenApiDocument {
  openapi: string;
  security: SecurityRequirement[];
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
  paths: Record<string, Record<string, OpenApiOperation>>;
}
export interface DocumentedRoute {
  method: string;
  path: string;
  operation: OpenApiOperation;
}

/** The hub's OpenAPI document and every route it lists, methods in upper case. */
export async function documentedRoutes(hubUrl: string): Promise<{ doc: OpenApiDocument; routes: DocumentedRoute[] }> {
  const doc = (await (await fetch(`${hubUrl}/v1/openapi.json`)).json()) as OpenApiDocument;
  const routes = Object.entries(doc.paths).flatMap(([routePath, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path: routePath, operation })),
  );
  return { doc, routes };
}

/** A route's path with each {param} filled in: from `values`, else a dummy (auth is checked before anything is looked up). */
export function concretePath(operation: { path: string }, values: Record<string, string> = {}): string {
  return operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => encodeURIComponent(values[name] ?? `no-such-${name}`));
}

export const label = (operation: { method: string; path: string }): string => `${operation.method.toUpperCase()} ${operation.path}`;

/** The error of an API answer's body, or null when it has none. */
export function errorOf(body: unknown): { code: string; message: string; details: unknown } | null {
  if (typeof body !== 'object' || body === null || !('error' in body)) return null;
  return (body as { error: { code: string; message: string; details: unknown } }).error;
}

/** The 404 express answers for a route nobody serves, as opposed to a served route that found nothing. */
export const isUnrouted = (status: number, body: unknown): boolean => status === 404 && (errorOf(body)?.message.startsWith('No route for') ?? false);
