import type { VendorModule } from '../registry.ts';
import { kajabiApiClient } from './api-client.ts';
import { kajabiRegistration } from './api-registration.ts';
import { kajabiAdapter, kajabiInboundDefaults } from './inbound.ts';
import { kajabiSandboxApi } from './sandbox-api.ts';
import { kajabiSetupGuide } from './setup-guide.ts';
import { kajabiWireFormat } from './wire-format.ts';

/** Kajabi: every part learnhook has of it, one line in the registry (vendors/registry.ts). */
export const kajabi: VendorModule = {
  inbound: kajabiAdapter,
  inboundDefaults: kajabiInboundDefaults,
  api: kajabiApiClient,
  setupGuide: kajabiSetupGuide,
  registration: kajabiRegistration,
  sandbox: { wireFormat: kajabiWireFormat, api: kajabiSandboxApi },
};
