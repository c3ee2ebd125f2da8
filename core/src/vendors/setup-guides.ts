import type { Vendor } from '../catalog/index.ts';
import { absorbSetupGuide } from './absorb/setup-guide.ts';
import { adobeAlmSetupGuide } from './adobe-alm/setup-guide.ts';
import { learn365SetupGuide } from './learn365/setup-guide.ts';
import { seismicLearningSetupGuide } from './seismic-learning/setup-guide.ts';
import type { SetupGuide } from './setup-guide.ts';
import { standardSetupGuide } from './standard/setup-guide.ts';

export const SETUP_GUIDES: { readonly [V in Vendor]: SetupGuide } = {
  absorb: absorbSetupGuide,
  learn365: learn365SetupGuide,
  'adobe-alm': adobeAlmSetupGuide,
  'seismic-learning': seismicLearningSetupGuide,
  standard: standardSetupGuide,
};
