import type { VendorModule } from '../registry.ts';
import { learn365ApiClient } from './api-client.ts';
import { learn365Registration } from './api-registration.ts';
import { learn365Adapter, learn365InboundDefaults } from './inbound.ts';
import { learn365SandboxApi } from './sandbox-api.ts';
import { learn365SetupGuide } from './setup-guide.ts';
import { learn365WireFormat } from './wire-format.ts';

/** Learn365 (Zensai): every part learnhook has of it, one line in the registry (vendors/registry.ts). */
export const learn365: VendorModule = {
  inbound: learn365Adapter,
  inboundDefaults: learn365InboundDefaults,
  api: learn365ApiClient,
  setupGuide: learn365SetupGuide,
  registration: learn365Registration,
  sandbox: { wireFormat: learn365WireFormat, api: learn365SandboxApi },
};
