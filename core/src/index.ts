/** @learnhook/core: the hub and everything it is made of (DESIGN §1). */

export type { HydrationNeeds } from './catalog/hydration-needs.ts';
export * from './catalog/index.ts';
export type { IngestRoute } from './catalog/ingest-route.ts';
export { type Config, readConfig } from './config.ts';
export * from './errors.ts';
export { OPERATIONS, type Operation } from './http/openapi.ts';
export { type RunningHub, startHub, VERSION } from './hub.ts';
export { createLogger, type Logger } from './logger.ts';
export { HUB_NODE_FLAGS } from './node-flags.ts';
export type { ConnectionAnswer } from './operations/schemas.ts';
export { demoData, type SandboxData } from './sandbox/demo-data.ts';
export { type SandboxSession, startSandbox } from './sandbox/session.ts';
export { wireRequest } from './sandbox/wire-formats.ts';
export type { Subject, WireRequest } from './sandbox/wire-request.ts';
export { generateSecret, signStandardWebhook, verifyStandardWebhook } from './signatures/standard-webhooks.ts';
export { sqliteFileBytes } from './store/retention.ts';
export type * from './vendors/adapter.ts';
export { buildEvent } from './vendors/build-event.ts';
export { eventId } from './vendors/event-id.ts';
export { credentialKeys, VENDOR_REGISTRY, type VendorModule } from './vendors/registry.ts';
