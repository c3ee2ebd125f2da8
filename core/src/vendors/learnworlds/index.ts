import type { VendorModule } from '../registry.ts';
import { learnWorldsApiClient } from './api-client.ts';
import { learnWorldsAdapter, learnWorldsInboundDefaults } from './inbound.ts';
import { learnWorldsSandboxApi } from './sandbox-api.ts';
import { learnWorldsSetupGuide } from './setup-guide.ts';
import { learnWorldsWireFormat } from './wire-format.ts';

/** LearnWorlds: every part learnhook has of it, one line in the registry (vendors/registry.ts). */
export const learnWorlds: VendorModule = {
  inbound: learnWorldsAdapter,
  inboundDefaults: learnWorldsInboundDefaults,
  api: learnWorldsApiClient,
  setupGuide: learnWorldsSetupGuide,
  sandbox: { wireFormat: learnWorldsWireFormat, api: learnWorldsSandboxApi },
};
