import type { Vendor } from '../../catalog/index.ts';
import { absorbApiClient } from '../../vendors/absorb/api-client.ts';
import { adobeAlmApiClient } from '../../vendors/adobe-alm/api-client.ts';
import { learn365ApiClient } from '../../vendors/learn365/api-client.ts';
import { seismicLearningApiClient } from '../../vendors/seismic-learning/api-client.ts';
import type { VendorApi } from '../client.ts';

/**
 * The LMS APIs hydration can ask, by vendor. Standard Webhooks sources send full events and have
 * no API of their own.
 */
export const VENDOR_APIS: Partial<Record<Vendor, VendorApi<unknown>>> = {
  absorb: absorbApiClient,
  'adobe-alm': adobeAlmApiClient,
  learn365: learn365ApiClient,
  'seismic-learning': seismicLearningApiClient,
};
