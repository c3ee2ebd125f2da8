import { departmentOf, fullName, hasStarted } from '../../sandbox/api/common.ts';
import type { SandboxCourse, SandboxData, SandboxEnrollment, SandboxUser } from '../../sandbox/demo-data.ts';
import { vendorId } from '../../sandbox/vendor-ids.ts';

/*
 * The sandbox's data as Adobe Learning Manager JSON:API resources, with ALM's attribute names
 * and ids. The router (adobe-alm.ts) serves them; adobe-alm-paging.ts pages the lists.
 */

/** A JSON:API resource or document as ALM answers it. */
export type Resource = Record<string, unknown>;

/** The sandbox's ALM account. */
export const ACCOUNT_ID = '4321';

/** The learning object types a list serves unless filter.loTypes narrows them. */
export const LO_TYPES = ['course', 'learningProgram', 'certification', 'jobAid'] as const;

/** ALM's loFormat for the sandbox's kinds: classroom courses are how ALM runs instructor-led training. */
const LO_FORMATS: Record<SandboxCourse['kind'], string> = {
  online_course: 'Self Paced',
  lesson: 'Self Paced',
  instructor_led: 'Classroom',
  curriculum: 'Blended',
  bundle: 'Blended',
  learning_path: 'Blended',
  certification: 'Blended',
};

/**
 * ALM's enrollment states for the sandbox's statuses. ALM has no failed or absent state: a
 * failed learner completes without passing (hasPassed false), an absent one stays enrolled.
 * Removed enrollments are not served.
 */
const STATES: Record<Exclude<SandboxEnrollment['status'], 'removed'>, string> = {
  enrolled: 'ENROLLED',
  not_started: 'ENROLLED',
  in_progress: 'STARTED',
  not_completed: 'STARTED',
  completed: 'COMPLETED',
  failed: 'COMPLETED',
  pending_approval: 'PENDING_APPROVAL',
  declined: 'REJECTED',
  waitlisted: 'WAITING',
  absent: 'ENROLLED',
  unknown: 'ENROLLED',
};

/** A learning object's full id, its type first: "course:506", "learningProgram:506". */
export const loIdOf = (course: SandboxCourse) => vendorId('adobe-alm', 'course', course.id, course.kind);
export const loTypeOf = (course: SandboxCourse) => loIdOf(course).split(':')[0] ?? 'course';
/** The course's one instance, numbered as the sandbox's webhooks number it. */
const instanceIdOf = (course: SandboxCourse) => `${loIdOf(course)}_${course.id + 9000}`;

export function userResource(data: SandboxData, user: SandboxUser): Resource {
  const department = departmentOf(data, user);
  return {
    id: vendorId('adobe-alm', 'user', user.id),
    type: 'user',
    attributes: {
      avatarUrl: 'https://cpcontents.adobe.com/public/images/default_user_avatar.svg',
      bio: '',
      contentLocale: 'en-US',
      email: user.email,
      enrollOnClick: true,
      // ALM keeps departments, locations and the like as the account's "active fields".
      fields: department ? { Department: department } : {},
      gamificationEnabled: false,
      lastLoginDate: null,
      metadata: {},
      name: fullName(user),
      pointsEarned: 0,
      pointsRedeemed: 0,
      preferredResolution: 'AUTO',
      profile: 'Employee',
      roles: ['Learner'],
      state: user.active ? 'ACTIVE' : 'SUSPENDED',
      timeZoneCode: '213',
      uiLocale: 'en-US',
      userType: 'Internal',
      userUniqueId: user.email,
    },
    relationships: { account: { data: { id: ACCOUNT_ID, type: 'account' } } },
  };
}

export function learningObjectResource(course: SandboxCourse): Resource {
  return {
    id: loIdOf(course),
    type: 'learningObject',
    attributes: {
      authorNames: [],
      dateCreated: course.created_at,
      datePublished: course.published ? course.created_at : null,
      dateUpdated: course.created_at,
      duration: 3600,
      effectiveModifiedDate: course.created_at,
      effectivenessIndex: 0,
      enrollmentType: 'Self Enroll',
      hasOptionalLoResources: false,
      hasPreview: false,
      isExternal: false,
      isPrerequisiteEnforced: false,
      isSubLoOrderEnforced: false,
      loFormat: LO_FORMATS[course.kind],
      loResourceCompletionCount: 1,
      loType: loTypeOf(course),
      moduleResetEnabled: false,
      state: course.published ? 'Published' : 'Retired',
      tags: [],
      unenrollmentAllowed: true,
      catalogLabels: [],
      localizedMetadata: [{ locale: 'en-US', name: course.title, description: '', overview: '', richTextOverview: '' }],
      rating: { averageRating: 0, ratingsCount: 0 },
    },
    relationships: { instances: { data: [{ id: instanceIdOf(course), type: 'learningObjectInstance' }] } },
  };
}

export function enrollmentResource(data: SandboxData, enrollment: SandboxEnrollment): { loType: string; loId: string; resource: Resource } | null {
  const course = data.courses.find((candidate) => candidate.id === enrollment.course_id);
  if (!course || enrollment.status === 'removed') return null;
  const userId = vendorId('adobe-alm', 'user', enrollment.user_id);
  const attributes: Resource = {
    dateEnrolled: enrollment.enrolled_at,
    dateStarted: hasStarted(enrollment) ? enrollment.enrolled_at : null,
    dateCompleted: enrollment.completed_at,
    enrollmentSource: 'SELF_ENROLL',
    hasPassed: enrollment.status === 'completed',
    progressPercent: enrollment.progress,
    state: STATES[enrollment.status],
  };
  if (enrollment.score !== null) attributes.score = enrollment.score;
  return {
    loType: loTypeOf(course),
    loId: loIdOf(course),
    resource: {
      // ALM names an enrollment by its learning object, instance and learner.
      id: `${instanceIdOf(course)}_${userId}`,
      type: 'learningObjectInstanceEnrollment',
      attributes,
      relationships: {
        learner: { data: { id: userId, type: 'user' } },
        learningObject: { data: { id: loIdOf(course), type: 'learningObject' } },
        loInstance: { data: { id: instanceIdOf(course), type: 'learningObjectInstance' } },
      },
    },
  };
}
