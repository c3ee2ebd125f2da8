/** Which ingest route the request came in on. */
export type IngestRoute = 'webhook' | 'xapi-statements';
