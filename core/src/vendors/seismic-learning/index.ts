import type { VendorModule } from '../registry.ts';
import { seismicLearningApiClient } from './api-client.ts';
import { seismicLearningAdapter, seismicLearningInboundDefaults } from './inbound.ts';
import { seismicLearningSandboxApi } from './sandbox-api.ts';
import { seismicLearningSetupGuide } from './setup-guide.ts';
import { seismicLearningWireFormat } from './wire-format.ts';

/** Seismic Learning (Lessonly): every part learnhook has of it, one line in the registry (vendors/registry.ts). */
export const seismicLearning: VendorModule = {
  inbound: seismicLearningAdapter,
  inboundDefaults: seismicLearningInboundDefaults,
  api: seismicLearningApiClient,
  setupGuide: seismicLearningSetupGuide,
  sandbox: { wireFormat: seismicLearningWireFormat, api: seismicLearningSandboxApi },
};
