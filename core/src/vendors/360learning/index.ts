import type { VendorModule } from '../registry.ts';
import { threeSixtyLearningApiClient } from './api-client.ts';
import { threeSixtyLearningAdapter, threeSixtyLearningInboundDefaults } from './inbound.ts';
import { threeSixtyLearningSandboxApi } from './sandbox-api.ts';
import { threeSixtyLearningSetupGuide } from './setup-guide.ts';
import { threeSixtyLearningWireFormat } from './wire-format.ts';

/** 360Learning: every part learnhook has of it, one line in the registry (vendors/registry.ts). */
export const threeSixtyLearning: VendorModule = {
  inbound: threeSixtyLearningAdapter,
  inboundDefaults: threeSixtyLearningInboundDefaults,
  api: threeSixtyLearningApiClient,
  setupGuide: threeSixtyLearningSetupGuide,
  sandbox: { wireFormat: threeSixtyLearningWireFormat, api: threeSixtyLearningSandboxApi },
};
