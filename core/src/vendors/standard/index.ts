import type { VendorModule } from '../registry.ts';
import { standardAdapter, standardInboundDefaults } from './inbound.ts';
import { standardSetupGuide } from './setup-guide.ts';
import { standardWireFormat } from './wire-format.ts';

/** Standard Webhooks and raw xAPI sources: every part learnhook has of it, one line in the registry (vendors/registry.ts). */
export const standard: VendorModule = {
  inbound: standardAdapter,
  inboundDefaults: standardInboundDefaults,
  // Standard Webhooks sources send whole events: there is no LMS API to ask, and none to emulate.
  api: null,
  setupGuide: standardSetupGuide,
  sandbox: { wireFormat: standardWireFormat, api: null },
};
