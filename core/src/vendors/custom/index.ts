import type { VendorModule } from '../registry.ts';
import { customAdapter, customInboundDefaults } from './inbound.ts';
import { customSetupGuide } from './setup-guide.ts';
import { customWireFormat } from './wire-format.ts';

/** Any other LMS, mapped by data on the connection: every part learnhook has of it, one line in the registry (vendors/registry.ts). */
export const custom: VendorModule = {
  inbound: customAdapter,
  inboundDefaults: customInboundDefaults,
  // A custom source is mapped, not known: there is no LMS API to ask, and none to emulate.
  api: null,
  setupGuide: customSetupGuide,
  sandbox: { wireFormat: customWireFormat, api: null },
};
