import { fullName, hasStarted } from '../../sandbox/api/common.ts';
import type { SandboxCourse, SandboxData, SandboxEnrollment, SandboxUser } from '../../sandbox/demo-data.ts';
import { type EntityKind, vendorId } from '../../sandbox/vendor-ids.ts';

/*
 * The sandbox's data as Absorb resources. Absorb writes times without a zone (UTC); the
 * sandbox's ISO strings lose their "Z" accordingly. The router serves them; absorb-query.ts
 * filters, sorts and pages the lists.
 */

/** An Absorb resource as JSON: camelCase properties, primitives, arrays or nested objects. */
type Resource = Record<string, unknown>;

/** Absorb's courseType values for the sandbox's kinds; Absorb has no paths, certifications or lessons of its own. */
const COURSE_TYPES: Record<SandboxCourse['kind'], string> = {
  online_course: 'OnlineCourse',
  instructor_led: 'InstructorLedCourse',
  curriculum: 'Curriculum',
  bundle: 'CourseBundle',
  learning_path: 'Curriculum',
  certification: 'OnlineCourse',
  lesson: 'OnlineCourse',
};

/**
 * Absorb's enrollment status codes (0 NotStarted, 1 InProgress, 2 PendingApproval, 3 Complete,
 * 4 NotComplete, 5 Failed, 6 Declined, 7 PendingEvaluationRequired, 8 OnWaitlist, 9 Absent,
 * 10 NotApplicable, ...). Removed enrollments are not served at all.
 */
const STATUS_CODES: Record<Exclude<SandboxEnrollment['status'], 'removed'>, number> = {
  enrolled: 0,
  not_started: 0,
  in_progress: 1,
  pending_approval: 2,
  completed: 3,
  not_completed: 4,
  failed: 5,
  declined: 6,
  waitlisted: 8,
  absent: 9,
  unknown: 10,
};

const absorbTime = (value: string | null): string | null => (value ? value.replace(/Z$/, '') : null);
const absorbId = (entity: EntityKind, id: number) => vendorId('absorb', entity, id);

export function userResource(user: SandboxUser): Resource {
  return {
    id: absorbId('user', user.id),
    departmentId: user.department_id === null ? null : absorbId('department', user.department_id),
    firstName: user.first_name,
    middleName: null,
    lastName: user.last_name,
    username: user.username,
    emailAddress: user.email,
    externalId: null,
    ccEmailAddresses: [],
    languageId: 1,
    gender: 0,
    address: null,
    address2: null,
    city: null,
    provinceId: null,
    countryId: null,
    postalCode: null,
    phone: null,
    employeeNumber: null,
    location: null,
    jobTitle: null,
    referenceNumber: null,
    dateHired: null,
    dateTerminated: null,
    dateEdited: absorbTime(user.created_at),
    dateAdded: absorbTime(user.created_at),
    lastLoginDate: null,
    notes: null,
    customFields: null,
    roleIds: [],
    activeStatus: user.active ? 0 : 1,
    isLearner: true,
    isAdmin: false,
    isInstructor: false,
    isManager: false,
    supervisorId: null,
    hasUsername: true,
  };
}

export function departmentResource(department: SandboxData['departments'][number]): Resource {
  return {
    id: absorbId('department', department.id),
    name: department.name,
    useDepartmentContactDetails: false,
    companyName: null,
    phoneNumber: null,
    emailAddress: null,
    externalId: null,
    parentId: null,
    currencyId: null,
    dateEdited: null,
    dateAdded: null,
  };
}

export function courseResource(course: SandboxCourse): Resource {
  return {
    id: absorbId('course', course.id),
    courseType: COURSE_TYPES[course.kind],
    name: course.title,
    description: null,
    notes: null,
    externalId: null,
    accessDate: null,
    expireType: 0,
    expireDuration: null,
    expiryDate: null,
    activeStatus: course.published ? 0 : 1,
    tagIds: [],
    resourceIds: [],
    editorIds: [],
    prices: [],
    competencyDefinitionIds: [],
    prerequisiteCourseIds: [],
    postEnrollmentCourseIds: [],
    allowCourseEvaluation: false,
    categoryId: null,
    certificateUrl: null,
    audience: null,
    goals: null,
    vendor: null,
    companyCost: null,
    learnerCost: null,
    companyTime: null,
    learnerTime: null,
    dateEdited: absorbTime(course.created_at),
    dateAdded: absorbTime(course.created_at),
  };
}

function enrollmentResource(data: SandboxData, enrollment: SandboxEnrollment): Resource | null {
  if (enrollment.status === 'removed') return null;
  const user = data.users.find((candidate) => candidate.id === enrollment.user_id);
  const course = data.courses.find((candidate) => candidate.id === enrollment.course_id);
  const certificate = data.certificates.find((candidate) => candidate.user_id === enrollment.user_id && candidate.course_id === enrollment.course_id);
  return {
    id: absorbId('enrollment', enrollment.id),
    courseId: absorbId('course', enrollment.course_id),
    courseName: course?.title ?? null,
    courseVersionId: null,
    userId: absorbId('user', enrollment.user_id),
    fullName: user ? fullName(user) : null,
    progress: enrollment.progress,
    score: enrollment.score,
    status: STATUS_CODES[enrollment.status],
    dateCompleted: absorbTime(enrollment.completed_at),
    dateExpires: null,
    dateEdited: absorbTime(enrollment.completed_at ?? enrollment.enrolled_at),
    dateAdded: absorbTime(enrollment.enrolled_at),
    dateStarted: hasStarted(enrollment) ? absorbTime(enrollment.enrolled_at) : null,
    acceptedTermsAndConditions: false,
    timeSpentTicks: 0,
    timeSpent: '00:00:00',
    enrollmentKeyId: null,
    certificateId: certificate ? absorbId('certificate', certificate.id) : null,
    credits: null,
    isActive: true,
    dateDue: null,
    accessDate: null,
    jobTitle: null,
    courseCollectionId: null,
    avatar: null,
  };
}

export function enrollmentsOf(data: SandboxData, keep: (enrollment: SandboxEnrollment) => boolean): Resource[] {
  return data.enrollments.filter(keep).flatMap((enrollment): Resource[] => {
    const served = enrollmentResource(data, enrollment);
    return served ? [served] : [];
  });
}
