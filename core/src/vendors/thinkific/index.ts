import type { VendorModule } from '../registry.ts';
import { thinkificApiClient } from './api-client.ts';
import { thinkificRegistration } from './api-registration.ts';
import { thinkificAdapter, thinkificInboundDefaults } from './inbound.ts';
import { thinkificSandboxApi } from './sandbox-api.ts';
import { thinkificSetupGuide } from './setup-guide.ts';
import { thinkificWireFormat } from './wire-format.ts';

/** Thinkific: every part learnhook has of it, one line in the registry (vendors/registry.ts). */
export const thinkific: VendorModule = {
  inbound: thinkificAdapter,
  inboundDefaults: thinkificInboundDefaults,
  api: thinkificApiClient,
  setupGuide: thinkificSetupGuide,
  registration: thinkificRegistration,
  sandbox: { wireFormat: thinkificWireFormat, api: thinkificSandboxApi },
};
