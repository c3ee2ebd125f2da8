import type { Vendor } from '../catalog/index.ts';
import type { HubVendor } from '../operations/context.ts';
import type { EmulatedApi } from '../sandbox/api/types.ts';
import type { WireFormat } from '../sandbox/wire-request.ts';
import { secretKeysOf, secretShapeOf } from '../secret-fields.ts';
import { threeSixtyLearning } from './360learning/index.ts';
import { absorb } from './absorb/index.ts';
import { adobeAlm } from './adobe-alm/index.ts';
import { canvas } from './canvas/index.ts';
import { custom } from './custom/index.ts';
import { kajabi } from './kajabi/index.ts';
import { learn365 } from './learn365/index.ts';
import { learnWorlds } from './learnworlds/index.ts';
import { litmos } from './litmos/index.ts';
import { seismicLearning } from './seismic-learning/index.ts';
import { standard } from './standard/index.ts';
import { thinkific } from './thinkific/index.ts';

/**
 * One LMS, whole: the parts the hub reads (inbound adapter, its defaults, API client, setup guide)
 * and the sandbox's (wire format, emulated API). Its folder's index.ts assembles it.
 */
export interface VendorModule extends HubVendor {
  sandbox: {
    /** The requests the sandbox sends as this vendor. */
    wireFormat: WireFormat;
    /** The vendor's API as the sandbox emulates it; null where the vendor has none. */
    api: EmulatedApi | null;
  };
}

/**
 * Every LMS learnhook knows, by the vendor id a connection names: adding a vendor is its folder and
 * a line here. This module sits on top of the layers (it imports each vendor's sandbox parts), so
 * the layers below never import it: `learnhook serve`, the sandbox and the test hub hand it to
 * startHub, which hands each layer the parts it reads (docs/architecture.md "Vendors").
 */
export const VENDOR_REGISTRY: { readonly [V in Vendor]: VendorModule } = {
  absorb,
  learn365,
  'adobe-alm': adobeAlm,
  'seismic-learning': seismicLearning,
  standard,
  '360learning': threeSixtyLearning,
  canvas,
  learnworlds: learnWorlds,
  litmos,
  thinkific,
  kajabi,
  custom,
};

/**
 * Every settings key a vendor's schemas mark secret(...): what createLogger blanks wherever a log
 * line holds it, so a connection logged whole shows none of its credentials.
 */
export function credentialKeys(): string[] {
  const schemas = Object.values(VENDOR_REGISTRY).flatMap((vendor) => [vendor.inbound.inboundSchema, ...(vendor.api ? [vendor.api.settingsSchema] : [])]);
  return [...new Set(schemas.flatMap((schema) => secretKeysOf(secretShapeOf(schema))))].sort();
}
