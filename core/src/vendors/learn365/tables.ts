import type { CourseKind, EnrollmentStatus, EventType } from '../../catalog/index.ts';

/**
 * Learn365's names as data: which catalog type each notification Action maps to and how, and the
 * CourseType and status words it writes. The parser, the mapping, hydration and the sandbox read these.
 */

type Learn365Shape = 'enrollment' | 'course' | 'user';
type ActorRole = 'learner' | 'admin';

export interface Learn365ActionRule {
  type: EventType;
  shape: Learn365Shape;
  /** Who acted, when the action says so; null when it could be the learner or an admin. */
  actor: ActorRole | null;
  /** Enrollment actions: the status the action implies. */
  status?: EnrollmentStatus;
  /** Whether EnrollmentStatusText may refine `status` (an enrollment can start out pending or waitlisted). */
  statusFromText?: boolean;
  /** Which enrollment date the notification's TimeStamp is. */
  stamp?: 'enrolled_at' | 'completed_at';
  progress?: number;
  /** Type-specific `data` the catalog schema requires. */
  data?: Record<string, unknown>;
  /** Whether to ask the LMS for progress, score and dates the notification lacks. */
  hydrateEnrollment?: boolean;
  /** The object is gone at the LMS: asking its API about it would only fail. */
  gone?: boolean;
}

const NO_SOURCE = { enrollment_source: null };

/** Learn365 Action -> catalog mapping (DESIGN §2). */
export const LEARN365_ACTIONS: Readonly<Record<string, Learn365ActionRule>> = {
  CourseEnrollment: {
    type: 'enrollment.created',
    shape: 'enrollment',
    actor: null,
    status: 'enrolled',
    statusFromText: true,
    stamp: 'enrolled_at',
    data: NO_SOURCE,
  },
  CourseUnenrollment: { type: 'enrollment.removed', shape: 'enrollment', actor: null, status: 'removed', data: NO_SOURCE, gone: true },
  EnrollmentApprovalRequest: { type: 'enrollment.approval_requested', shape: 'enrollment', actor: 'learner', status: 'pending_approval' },
  CourseStarted: { type: 'enrollment.started', shape: 'enrollment', actor: 'learner', status: 'in_progress', hydrateEnrollment: true },
  CourseCompleted: {
    type: 'enrollment.completed',
    shape: 'enrollment',
    actor: 'learner',
    status: 'completed',
    stamp: 'completed_at',
    progress: 100,
    hydrateEnrollment: true,
  },
  CoursePublished: { type: 'course.published', shape: 'course', actor: 'admin' },
  CourseUnpublished: { type: 'course.unpublished', shape: 'course', actor: 'admin' },
  CourseCreated: { type: 'course.created', shape: 'course', actor: 'admin' },
  CourseDeleted: { type: 'course.deleted', shape: 'course', actor: 'admin', gone: true },
  UserCreated: { type: 'user.created', shape: 'user', actor: null },
  UserDeleted: { type: 'user.deactivated', shape: 'user', actor: null, gone: true },
};

/** Action names compare case-insensitively, as ASP.NET WebHooks matches its filters. */
const RULES = new Map(Object.entries(LEARN365_ACTIONS).map(([action, rule]) => [action.toLowerCase(), rule]));

/** The rule for an Action, whatever its case; undefined for an Action the table does not know. */
export function learn365ActionRule(action: string): Learn365ActionRule | undefined {
  return RULES.get(action.toLowerCase());
}

/**
 * CourseType -> catalog kind, keyed by CourseType lower-cased without separators. The connector
 * documents ELearning, ClassRoom, Webinar, TrainingPlan. Hydration reads the API's CourseType with it too.
 */
export const LEARN365_COURSE_KINDS: Readonly<Record<string, CourseKind>> = {
  elearning: 'online_course',
  classroom: 'instructor_led',
  instructorled: 'instructor_led',
  instructorledtraining: 'instructor_led',
  webinar: 'instructor_led',
  trainingplan: 'learning_path',
};

/**
 * The CourseType for a course of each catalog kind, as the sandbox's webhooks and API write it:
 * the nearest of the connector's documented values, each of which LEARN365_COURSE_KINDS reads.
 */
export const LEARN365_COURSE_TYPES: Readonly<Record<CourseKind, string>> = {
  online_course: 'ELearning',
  instructor_led: 'ClassRoom',
  curriculum: 'TrainingPlan',
  bundle: 'TrainingPlan',
  learning_path: 'TrainingPlan',
  certification: 'ELearning',
  lesson: 'ELearning',
};

/**
 * Words in an enrollment's status (EnrollmentStatusText here, the API's RegistrationStatus in
 * hydration) saying the enrollment is not, or no longer, an ordinary one, lower-cased without
 * separators. Their values are not published; these are read leniently.
 */
export const LEARN365_REGISTRATION_STATUSES: Readonly<Record<string, EnrollmentStatus>> = {
  pending: 'pending_approval',
  pendingapproval: 'pending_approval',
  waitingforapproval: 'pending_approval',
  waitinglist: 'waitlisted',
  waitlist: 'waitlisted',
  waitlisted: 'waitlisted',
  rejected: 'declined',
  declined: 'declined',
  cancelled: 'removed',
  canceled: 'removed',
  unenrolled: 'removed',
};

/**
 * EnrollmentStatusText, lower-cased without separators. The integer EnrollmentStatus codes are not
 * published, so only the text is read; the number stays in raw.
 */
export const LEARN365_STATUS_TEXTS: Readonly<Record<string, EnrollmentStatus>> = {
  enrolled: 'enrolled',
  registered: 'enrolled',
  notstarted: 'not_started',
  inprogress: 'in_progress',
  started: 'in_progress',
  completed: 'completed',
  passed: 'completed',
  failed: 'failed',
  ...LEARN365_REGISTRATION_STATUSES,
};
