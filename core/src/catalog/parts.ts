import { z } from 'zod';

/**
 * The building blocks every event envelope is made of (DESIGN §2). Keys are snake_case and stable:
 * they become users' Zap fields (learner__email) and n8n expressions, so changes are additive only.
 * Everything a vendor may leave out is nullable rather than optional, so subscribers always see the key.
 */

const text = (title: string) => z.string().nullable().meta({ title });

export const VENDORS = [
  'absorb',
  'learn365',
  'adobe-alm',
  'seismic-learning',
  'standard',
  'custom',
  'learnworlds',
  'thinkific',
  '360learning',
  'litmos',
  'canvas',
  'kajabi',
] as const;
export const Vendor = z.enum(VENDORS).meta({ title: 'Vendor' });
export type Vendor = z.infer<typeof Vendor>;

export const COURSE_KINDS = ['online_course', 'instructor_led', 'curriculum', 'bundle', 'learning_path', 'certification', 'lesson'] as const;
export const CourseKind = z.enum(COURSE_KINDS).meta({ title: 'Kind' });
export type CourseKind = z.infer<typeof CourseKind>;

export const ENROLLMENT_STATUSES = [
  'enrolled',
  'not_started',
  'in_progress',
  'pending_approval',
  'completed',
  'not_completed',
  'failed',
  'declined',
  'waitlisted',
  'absent',
  'removed',
  'unknown',
] as const;
export const EnrollmentStatus = z.enum(ENROLLMENT_STATUSES).meta({ title: 'Status' });
export type EnrollmentStatus = z.infer<typeof EnrollmentStatus>;

export const Source = z
  .object({
    vendor: Vendor,
    connection: z.string().meta({ title: 'Connection' }),
    event: z.string().meta({ title: 'Vendor Event', description: "The LMS's own name for the event." }),
    event_id: text('Vendor Event ID'),
  })
  .meta({ title: 'Source' });

export const ACTOR_ROLES = ['learner', 'admin', 'manager', 'instructor', 'system'] as const;
export const Actor = z
  .object({
    id: text('ID'),
    role: z.enum(ACTOR_ROLES).meta({ title: 'Role' }),
  })
  .meta({ title: 'Actor', description: 'Who caused the event: the learner themself, an admin, or the system.' });

export const Learner = z
  .object({
    id: z.string().meta({ title: 'ID' }),
    email: text('Email'),
    username: text('Username'),
    first_name: text('First Name'),
    last_name: text('Last Name'),
    name: text('Name'),
    department: text('Department'),
  })
  .meta({ title: 'Learner' });
export type Learner = z.infer<typeof Learner>;

export const Course = z
  .object({
    id: z.string().meta({ title: 'ID' }),
    title: text('Title'),
    kind: CourseKind.nullable(),
    url: text('URL'),
  })
  .meta({ title: 'Course' });
export type Course = z.infer<typeof Course>;

export const Enrollment = z
  .object({
    id: text('ID'),
    status: EnrollmentStatus,
    progress: z.number().min(0).max(100).nullable().meta({ title: 'Progress (%)' }),
    score: z.number().nullable().meta({ title: 'Score' }),
    passed: z.boolean().nullable().meta({ title: 'Passed' }),
    enrolled_at: z.iso.datetime().nullable().meta({ title: 'Enrolled At' }),
    completed_at: z.iso.datetime().nullable().meta({ title: 'Completed At' }),
  })
  .meta({ title: 'Enrollment' });
export type Enrollment = z.infer<typeof Enrollment>;

export const HYDRATION_STATUSES = ['pending', 'complete', 'partial'] as const;
export const Hydration = z
  .object({
    status: z.enum(HYDRATION_STATUSES).meta({
      title: 'Status',
      description: 'complete: every detail was filled in; partial: the LMS could not be reached for some.',
    }),
    missing: z.array(z.string()).meta({
      title: 'Missing',
      description: 'The details the LMS could not provide, e.g. learner.email.',
    }),
    reason: z.enum(['lms_unavailable']).optional().meta({
      title: 'Why Partial',
      description: 'lms_unavailable: the LMS API kept failing, so learnhook sent the event without waiting for it.',
    }),
  })
  .meta({ title: 'Hydration' });
export type Hydration = z.infer<typeof Hydration>;

const named = (title: string) => z.object({ id: z.string().meta({ title: 'ID' }), name: text('Name') }).meta({ title });

export const Group = named('Group');
export const Department = named('Department');

export const Session = z
  .object({
    id: z.string().meta({ title: 'ID' }),
    title: text('Title'),
    starts_at: z.iso.datetime().nullable().meta({ title: 'Starts At' }),
  })
  .meta({ title: 'Session' });

export const Certificate = z
  .object({
    id: text('ID'),
    title: text('Title'),
    awarded_at: z.iso.datetime().nullable().meta({ title: 'Awarded At' }),
    expires_at: z.iso.datetime().nullable().meta({ title: 'Expires At' }),
  })
  .meta({ title: 'Certificate' });

export const Competency = z
  .object({ id: text('ID'), title: text('Title'), level: z.number().nullable().meta({ title: 'Level' }) })
  .meta({ title: 'Competency' });

export const Credits = z.object({ amount: z.number().nullable().meta({ title: 'Amount' }), type: text('Credit Type') }).meta({ title: 'Credits' });

export const Assessment = z
  .object({
    id: text('ID'),
    title: text('Title'),
    score: z.number().nullable().meta({ title: 'Score' }),
    passed: z.boolean().nullable().meta({ title: 'Passed' }),
  })
  .meta({ title: 'Assessment' });

/** What an xAPI statement adds to a learner-interaction event (xAPI 1.0.3 §2.4). */
export const Statement = z
  .object({
    statement_id: text('Statement ID'),
    verb: z.string().meta({ title: 'Verb IRI' }),
    activity: z.object({ id: z.string().meta({ title: 'ID' }), name: text('Name'), type: text('Type') }).meta({ title: 'Activity' }),
    result: z
      .object({
        success: z.boolean().nullable().meta({ title: 'Success' }),
        completion: z.boolean().nullable().meta({ title: 'Completion' }),
        response: text('Response'),
        score_scaled: z.number().nullable().meta({ title: 'Scaled Score' }),
        duration: text('Duration'),
      })
      .nullable()
      .meta({ title: 'Result' }),
  })
  .meta({ title: 'Statement' });
