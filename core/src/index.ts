/** @learnhook/core: the hub and everything it is made of (DESIGN §1). */
export * from './catalog/index.ts';
export type { HydrationNeeds } from './catalog/hydration-needs.ts';
export type { IngestRoute } from './catalog/ingest-route.ts';
export * from './errors.ts';
export * from './vendors/index.ts';
export { generateSecret, signStandardWebhook, verifyStandardWebhook } from './signatures/standard-webhooks.ts';
export { readConfig, type Config } from './config.ts';
export { createLogger, type Logger } from './logger.ts';
export { startHub, VERSION, type RunningHub } from './hub.ts';
export { HUB_NODE_FLAGS } from './node-flags.ts';
export type { ConnectionAnswer } from './operations/schemas.ts';
export { startSandbox, type SandboxSession } from './sandbox/session.ts';
export { demoData, type SandboxData } from './sandbox/demo-data.ts';
export { wireRequest, type Subject, type WireRequest } from './sandbox/wire-formats.ts';
export { OPERATIONS, type Operation } from './http/openapi.ts';
