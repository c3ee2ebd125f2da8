import type { VendorModule } from '../registry.ts';
import { adobeAlmApiClient } from './api-client.ts';
import { adobeAlmAdapter, adobeAlmInboundDefaults } from './inbound.ts';
import { adobeAlmSandboxApi } from './sandbox-api.ts';
import { adobeAlmSetupGuide } from './setup-guide.ts';
import { adobeAlmWireFormat } from './wire-format.ts';

/** Adobe Learning Manager: every part learnhook has of it, one line in the registry (vendors/registry.ts). */
export const adobeAlm: VendorModule = {
  inbound: adobeAlmAdapter,
  inboundDefaults: adobeAlmInboundDefaults,
  api: adobeAlmApiClient,
  setupGuide: adobeAlmSetupGuide,
  sandbox: { wireFormat: adobeAlmWireFormat, api: adobeAlmSandboxApi },
};
