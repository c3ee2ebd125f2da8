import type { Vendor } from '../catalog/index.ts';
import { absorbAdapter } from './absorb/inbound.ts';
import type { VendorAdapter } from './adapter.ts';
import { adobeAlmAdapter } from './adobe-alm/inbound.ts';
import { learn365Adapter } from './learn365/inbound.ts';
import { seismicLearningAdapter } from './seismic-learning/inbound.ts';
import { standardAdapter } from './standard/inbound.ts';

export type * from './adapter.ts';
export { buildEvent } from './build-event.ts';
export { eventId } from './event-id.ts';

/** Every LMS format learnhook reads, by the vendor id a connection names. */
export const ADAPTERS: { readonly [V in Vendor]: VendorAdapter<unknown, unknown> } = {
  absorb: absorbAdapter,
  learn365: learn365Adapter,
  'adobe-alm': adobeAlmAdapter,
  'seismic-learning': seismicLearningAdapter,
  standard: standardAdapter,
};
