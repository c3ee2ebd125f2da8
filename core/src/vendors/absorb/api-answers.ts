import { z } from 'zod';
import type { Course, CourseKind, Enrollment, EnrollmentStatus, Learner } from '../../catalog/index.ts';
import { lookupName } from '../names.ts';
import { toIsoTimestamp } from '../timestamps.ts';

/**
 * What the Absorb Integration API v2 answers (absorb.ts asks): its resources as zod schemas, and
 * how each becomes a catalog part. Read in v2's camelCase; PascalCase (v1 and some .NET
 * serialisers) is accepted too.
 */

/** Reads PascalCase keys as camelCase, so v1-style answers parse with the same schemas. */
function camelKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key.charAt(0).toLowerCase() + key.slice(1), field]));
}

const text = z.string().nullish();
const number = z.number().nullish();
const resource = <S extends z.ZodRawShape>(shape: S) => z.preprocess(camelKeys, z.looseObject(shape));

export const AbsorbUser = resource({
  id: z.string().min(1),
  username: text,
  firstName: text,
  middleName: text,
  lastName: text,
  emailAddress: text,
  departmentId: text,
});
export type AbsorbUser = z.infer<typeof AbsorbUser>;

export const AbsorbDepartment = resource({ id: z.string().min(1), name: text });

export const AbsorbCourse = resource({ id: z.string().min(1), name: text, courseType: z.union([z.string(), z.number()]).nullish() });
export type AbsorbCourse = z.infer<typeof AbsorbCourse>;

export const AbsorbEnrollment = resource({
  id: z.string().min(1),
  courseId: text,
  userId: text,
  status: z.union([z.number(), z.string()]).nullish(),
  progress: number,
  score: number,
  dateAdded: text,
  dateStarted: text,
  dateCompleted: text,
});
export type AbsorbEnrollment = z.infer<typeof AbsorbEnrollment>;

/** Absorb's paged collections: `{totalItems, returnedItems, limit, offset, <name>: [...]}`. */
export const page = <S extends z.ZodType>(name: string, item: S) => z.preprocess(camelKeys, z.looseObject({ [name]: z.array(item) }));
export const PageTotal = z.looseObject({ totalItems: z.number().int() });

/** The token is a bare JSON string. */
export const AbsorbToken = z.string().min(1);

/** courseType, lower-cased without separators (the docs list OnlineCourse, InstructorLedCourse, CourseBundle, Curriculum). */
const COURSE_KINDS: Readonly<Record<string, CourseKind>> = {
  onlinecourse: 'online_course',
  instructorledcourse: 'instructor_led',
  instructorled: 'instructor_led',
  curriculum: 'curriculum',
  coursebundle: 'bundle',
  bundle: 'bundle',
};

/**
 * Absorb's enrollment status codes, by number and by name. PendingEvaluationRequired,
 * PendingProctor and ReadyForReview are work handed in but not yet judged: in progress, since an
 * evaluation may still fail it. NotApplicable says nothing.
 */
const STATUSES: Readonly<Record<string, EnrollmentStatus>> = {
  '0': 'not_started',
  notstarted: 'not_started',
  '1': 'in_progress',
  inprogress: 'in_progress',
  '2': 'pending_approval',
  pendingapproval: 'pending_approval',
  '3': 'completed',
  complete: 'completed',
  completed: 'completed',
  '4': 'not_completed',
  notcomplete: 'not_completed',
  '5': 'failed',
  failed: 'failed',
  '6': 'declined',
  declined: 'declined',
  '7': 'in_progress',
  pendingevaluationrequired: 'in_progress',
  '8': 'waitlisted',
  onwaitlist: 'waitlisted',
  '9': 'absent',
  absent: 'absent',
  '10': 'unknown',
  notapplicable: 'unknown',
  '11': 'in_progress',
  pendingproctor: 'in_progress',
  '12': 'in_progress',
  readyforreview: 'in_progress',
};

export const orNull = (value: string | null | undefined): string | null => value?.trim() || null;

export function toLearner(user: AbsorbUser, department: string | null): Learner {
  const first_name = orNull(user.firstName);
  const last_name = orNull(user.lastName);
  return {
    id: user.id,
    email: orNull(user.emailAddress),
    username: orNull(user.username),
    first_name,
    last_name,
    name: [first_name, last_name].filter(Boolean).join(' ') || null,
    department,
  };
}

export function toCourse(course: AbsorbCourse): Course {
  // Absorb's API gives no learner-facing link to a course.
  return { id: course.id, title: orNull(course.name), kind: lookupName(COURSE_KINDS, course.courseType), url: null };
}

export function toEnrollment(enrollment: AbsorbEnrollment): Enrollment {
  const status = lookupName(STATUSES, enrollment.status) ?? 'unknown';
  const progress = typeof enrollment.progress === 'number' ? Math.min(100, Math.max(0, enrollment.progress)) : null;
  return {
    id: enrollment.id,
    status,
    progress: progress ?? (status === 'completed' ? 100 : null),
    score: enrollment.score ?? null,
    passed: status === 'completed' ? true : status === 'failed' ? false : null,
    enrolled_at: toIsoTimestamp(enrollment.dateAdded),
    completed_at: toIsoTimestamp(enrollment.dateCompleted),
  };
}
