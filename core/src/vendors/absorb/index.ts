import type { VendorModule } from '../registry.ts';
import { absorbApiClient } from './api-client.ts';
import { absorbAdapter, absorbInboundDefaults } from './inbound.ts';
import { absorbSandboxApi } from './sandbox-api.ts';
import { absorbSetupGuide } from './setup-guide.ts';
import { absorbWireFormat } from './wire-format.ts';

/** Absorb LMS: every part learnhook has of it, one line in the registry (vendors/registry.ts). */
export const absorb: VendorModule = {
  inbound: absorbAdapter,
  inboundDefaults: absorbInboundDefaults,
  api: absorbApiClient,
  setupGuide: absorbSetupGuide,
  sandbox: { wireFormat: absorbWireFormat, api: absorbSandboxApi },
};
