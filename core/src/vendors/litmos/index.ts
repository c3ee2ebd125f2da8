import type { VendorModule } from '../registry.ts';
import { litmosApiClient } from './api-client.ts';
import { litmosAdapter, litmosInboundDefaults } from './inbound.ts';
import { litmosSandboxApi } from './sandbox-api.ts';
import { litmosSetupGuide } from './setup-guide.ts';
import { litmosWireFormat } from './wire-format.ts';

/** SAP Litmos: every part learnhook has of it, one line in the registry (vendors/registry.ts). */
export const litmos: VendorModule = {
  inbound: litmosAdapter,
  inboundDefaults: litmosInboundDefaults,
  api: litmosApiClient,
  setupGuide: litmosSetupGuide,
  sandbox: { wireFormat: litmosWireFormat, api: litmosSandboxApi },
};
