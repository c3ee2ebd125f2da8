import type { CourseKind, Vendor } from '../catalog/index.ts';

/**
 * How each emulated vendor shows the sandbox's numeric ids, as the real ones do: Absorb uses GUIDs,
 * Adobe Learning Manager numeric user ids and typed learning-object ids ("course:4321"), Lessonly
 * numbers, Learn365 numeric strings, 360Learning 24-hex-digit ObjectIds (the Absorb prefixes, then
 * the id in hex). The emulator's API and its events use these, and the reverse
 * mapping lets the emulator find an entity from the id a client asks for.
 */

export type EntityKind = 'user' | 'course' | 'enrollment' | 'department' | 'group' | 'session' | 'certificate';

const ABSORB_PREFIX: Record<EntityKind, string> = {
  user: 'a1',
  course: 'c0',
  enrollment: 'e0',
  department: 'd0',
  group: 'b0',
  session: '5e',
  certificate: 'ce',
};

const ALM_LO_TYPE: Partial<Record<CourseKind, string>> = { learning_path: 'learningProgram', certification: 'certification' };

/** The id the vendor shows for a sandbox entity. `kind` matters for ALM learning objects. */
export function vendorId(vendor: Vendor, entity: EntityKind, id: number, courseKind?: CourseKind | null): string {
  switch (vendor) {
    case 'absorb':
      return `${ABSORB_PREFIX[entity]}000000-0000-4000-8000-${id.toString(16).padStart(12, '0')}`;
    case '360learning':
      // 360Learning ids are MongoDB ObjectIds: 24 hex digits.
      return `${ABSORB_PREFIX[entity]}${id.toString(16).padStart(22, '0')}`;
    case 'adobe-alm':
      return entity === 'course' ? `${ALM_LO_TYPE[courseKind ?? 'online_course'] ?? 'course'}:${id}` : String(id);
    default:
      return String(id);
  }
}

/** The sandbox's numeric id behind a vendor id; null when the id is not one the sandbox gives out. */
export function sandboxId(vendor: Vendor, entity: EntityKind, value: string): number | null {
  let digits: string | undefined;
  if (vendor === 'absorb') {
    const match = new RegExp(`^${ABSORB_PREFIX[entity]}000000-0000-4000-8000-([0-9a-f]{12})$`, 'i').exec(value);
    const hex = match?.[1];
    return hex ? Number.parseInt(hex, 16) : null;
  }
  if (vendor === '360learning') {
    const hex = new RegExp(`^${ABSORB_PREFIX[entity]}([0-9a-f]{22})$`, 'i').exec(value)?.[1];
    return hex ? Number.parseInt(hex, 16) : null;
  }
  if (vendor === 'adobe-alm' && entity === 'course') digits = /^(?:course|learningProgram|certification):(\d+)$/.exec(value)?.[1];
  else digits = /^\d+$/.exec(value)?.[0];
  return digits ? Number(digits) : null;
}
