import type { VendorModule } from '../registry.ts';
import { canvasApiClient } from './api-client.ts';
import { canvasAdapter, canvasInboundDefaults } from './inbound.ts';
import { canvasSandboxApi } from './sandbox-api.ts';
import { canvasSetupGuide } from './setup-guide.ts';
import { canvasWireFormat } from './wire-format.ts';

/** Canvas LMS: every part learnhook has of it, one line in the registry (vendors/registry.ts). */
export const canvas: VendorModule = {
  inbound: canvasAdapter,
  inboundDefaults: canvasInboundDefaults,
  api: canvasApiClient,
  setupGuide: canvasSetupGuide,
  sandbox: { wireFormat: canvasWireFormat, api: canvasSandboxApi },
};
