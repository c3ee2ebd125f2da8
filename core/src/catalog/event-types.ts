import { z } from 'zod';
import { Form, Lead, Order, Payment, Product, Submission, Subscription, Tag } from './commerce.ts';
import { defineEvent } from './define.ts';
import { Assessment, Certificate, Competency, Credits, Department, Group, Session, Statement } from './parts.ts';

/**
 * The event catalog (DESIGN §2) as data. Every vendor adapter maps into these types and nothing
 * else crosses the core; the Zapier triggers, the n8n options, /v1/catalog and OpenAPI are all
 * derived from this list. Types are dotted, lower-case, past tense. Add types; never rename one.
 */

const none = { learner: 'none', course: 'none', enrollment: 'none' } as const;
const onLearner = { learner: 'required', course: 'none', enrollment: 'none' } as const;
const onEnrollment = { learner: 'required', course: 'required', enrollment: 'required' } as const;
const onCourse = { learner: 'none', course: 'required', enrollment: 'none' } as const;
const onInteraction = { learner: 'required', course: 'optional', enrollment: 'none' } as const;
/**
 * A purchase is about its buyer, and about a course only when what was sold is one course the LMS
 * can look up (a Thinkific course product, a LearnWorlds course): bundles, memberships and Kajabi
 * offers leave course null and live in data.product. Buying enrolls nobody by itself: the LMS
 * sends enrollment.created for that, so enrollment is none.
 */
const onPurchase = { learner: 'required', course: 'optional', enrollment: 'none' } as const;
/** Leads and form submissions often come from people with no user account yet. */
const onContact = { learner: 'optional', course: 'none', enrollment: 'none' } as const;

const enrollmentData = {
  enrollment_source: z.string().nullable().meta({
    title: 'Enrollment Source',
    description: 'How the learner was enrolled, as the LMS says it (self, admin, rule, ...).',
  }),
};

export const EVENT_DEFINITIONS = [
  defineEvent({
    type: 'user.created',
    title: 'New User',
    noun: 'User',
    description: 'Triggers when a user account is created in the LMS.',
    ...onLearner,
    data: {},
  }),
  defineEvent({
    type: 'user.updated',
    title: 'User Updated',
    noun: 'User',
    description: "Triggers when a user's profile changes in the LMS.",
    ...onLearner,
    data: {},
  }),
  defineEvent({
    type: 'user.deactivated',
    title: 'User Deactivated',
    noun: 'User',
    description: 'Triggers when a user is archived, deactivated or deleted in the LMS.',
    ...onLearner,
    data: {},
  }),
  defineEvent({
    type: 'user.reactivated',
    title: 'User Reactivated',
    noun: 'User',
    description: 'Triggers when an archived user is restored in the LMS.',
    ...onLearner,
    data: {},
  }),

  defineEvent({
    type: 'enrollment.created',
    title: 'Learner Enrolled',
    noun: 'Enrollment',
    description: 'Triggers when a learner is enrolled in a course, learning path or certification.',
    ...onEnrollment,
    data: enrollmentData,
  }),
  defineEvent({
    type: 'enrollment.removed',
    title: 'Enrollment Removed',
    noun: 'Enrollment',
    description: 'Triggers when a learner is unenrolled from a course, learning path or certification.',
    ...onEnrollment,
    data: enrollmentData,
  }),
  defineEvent({
    type: 'enrollment.approval_requested',
    title: 'Enrollment Approval Requested',
    noun: 'Enrollment',
    description: "Triggers when an enrollment waits for a manager's approval.",
    ...onEnrollment,
    data: {},
  }),
  defineEvent({
    type: 'enrollment.started',
    title: 'Course Started',
    noun: 'Enrollment',
    description: 'Triggers when a learner starts a course.',
    ...onEnrollment,
    data: {},
  }),
  defineEvent({
    type: 'enrollment.progressed',
    title: 'Course Progress Updated',
    noun: 'Enrollment',
    description: "Triggers when a learner's progress in a course moves.",
    ...onEnrollment,
    data: {},
  }),
  defineEvent({
    type: 'enrollment.completed',
    title: 'Course Completed',
    noun: 'Enrollment',
    description: 'Triggers when a learner completes a course, lesson, curriculum, learning path or certification.',
    ...onEnrollment,
    data: {},
  }),

  defineEvent({
    type: 'session.enrolled',
    title: 'Session Enrollment',
    noun: 'Session',
    description: 'Triggers when a learner is enrolled in an instructor-led session.',
    learner: 'required',
    course: 'optional',
    enrollment: 'optional',
    data: { session: Session },
  }),
  defineEvent({
    type: 'session.attended',
    title: 'Session Attended',
    noun: 'Session',
    description: 'Triggers when a learner attends an instructor-led session.',
    learner: 'required',
    course: 'optional',
    enrollment: 'optional',
    data: { session: Session },
  }),

  defineEvent({
    type: 'course.created',
    title: 'Course Created',
    noun: 'Course',
    description: 'Triggers when a course, curriculum, learning path or certification is added to the LMS.',
    ...onCourse,
    data: {},
  }),
  defineEvent({
    type: 'course.published',
    title: 'Course Published',
    noun: 'Course',
    description: 'Triggers when a course is published or activated for learners.',
    ...onCourse,
    data: {},
  }),
  defineEvent({
    type: 'course.unpublished',
    title: 'Course Unpublished',
    noun: 'Course',
    description: 'Triggers when a course is unpublished or deactivated.',
    ...onCourse,
    data: {},
  }),
  defineEvent({
    type: 'course.deleted',
    title: 'Course Deleted',
    noun: 'Course',
    description: 'Triggers when a course is deleted from the LMS.',
    ...onCourse,
    data: {},
  }),

  defineEvent({
    type: 'certificate.awarded',
    title: 'Certificate Awarded',
    noun: 'Certificate',
    description: 'Triggers when a learner is awarded a certificate.',
    learner: 'required',
    course: 'optional',
    enrollment: 'none',
    data: { certificate: Certificate },
  }),
  defineEvent({
    type: 'competency.awarded',
    title: 'Competency Awarded',
    noun: 'Competency',
    description: 'Triggers when a learner is awarded a competency.',
    learner: 'required',
    course: 'optional',
    enrollment: 'none',
    data: { competency: Competency },
  }),
  defineEvent({
    type: 'credits.awarded',
    title: 'Credits Awarded',
    noun: 'Credit',
    description: 'Triggers when a learner is awarded course credits.',
    learner: 'required',
    course: 'optional',
    enrollment: 'none',
    data: { credits: Credits },
  }),
  defineEvent({
    type: 'assessment.completed',
    title: 'Assessment Completed',
    noun: 'Assessment',
    description: 'Triggers when a learner completes a self-assessment.',
    learner: 'required',
    course: 'optional',
    enrollment: 'none',
    data: { assessment: Assessment },
  }),

  defineEvent({
    type: 'activity.viewed',
    title: 'Activity Viewed',
    noun: 'Activity',
    description: 'Triggers when a learner views a lesson, page or other activity (xAPI "viewed").',
    ...onInteraction,
    data: { statement: Statement },
  }),
  defineEvent({
    type: 'activity.liked',
    title: 'Activity Liked',
    noun: 'Activity',
    description: 'Triggers when a learner likes an activity (xAPI "like").',
    ...onInteraction,
    data: { statement: Statement },
  }),
  defineEvent({
    type: 'activity.disliked',
    title: 'Activity Disliked',
    noun: 'Activity',
    description: 'Triggers when a learner dislikes an activity (xAPI "dislike").',
    ...onInteraction,
    data: { statement: Statement },
  }),
  defineEvent({
    type: 'question.answered',
    title: 'Question Answered',
    noun: 'Answer',
    description: 'Triggers when a learner answers a question (xAPI "answered").',
    ...onInteraction,
    data: { statement: Statement },
  }),
  defineEvent({
    type: 'question.skipped',
    title: 'Question Skipped',
    noun: 'Answer',
    description: 'Triggers when a learner skips a question (xAPI "skipped").',
    ...onInteraction,
    data: { statement: Statement },
  }),
  defineEvent({
    type: 'search.performed',
    title: 'Search Performed',
    noun: 'Search',
    description: 'Triggers when a learner searches the LMS (xAPI "searched").',
    ...onInteraction,
    data: { statement: Statement, query: z.string().nullable().meta({ title: 'Search Query' }) },
  }),

  defineEvent({
    type: 'group.created',
    title: 'Group Created',
    noun: 'Group',
    description: 'Triggers when a group is created in the LMS.',
    ...none,
    data: { group: Group },
  }),
  defineEvent({
    type: 'group.deleted',
    title: 'Group Deleted',
    noun: 'Group',
    description: 'Triggers when a group is deleted from the LMS.',
    ...none,
    data: { group: Group },
  }),
  defineEvent({
    type: 'department.created',
    title: 'Department Created',
    noun: 'Department',
    description: 'Triggers when a department is created in the LMS.',
    ...none,
    data: { department: Department },
  }),
  defineEvent({
    type: 'department.deleted',
    title: 'Department Deleted',
    noun: 'Department',
    description: 'Triggers when a department is deleted from the LMS.',
    ...none,
    data: { department: Department },
  }),

  defineEvent({
    type: 'user.deleted',
    title: 'User Deleted',
    noun: 'User',
    description: 'Triggers when a user is deleted for good, by an LMS that tells deleting apart from deactivating.',
    ...onLearner,
    data: {},
  }),
  defineEvent({
    type: 'user.tag_added',
    title: 'Tag Added to User',
    noun: 'Tag',
    description: 'Triggers when a tag is added to a user or contact, once per tag.',
    ...onLearner,
    data: { tag: Tag },
  }),
  defineEvent({
    type: 'user.tag_removed',
    title: 'Tag Removed From User',
    noun: 'Tag',
    description: 'Triggers when a tag is removed from a user or contact, once per tag.',
    ...onLearner,
    data: { tag: Tag },
  }),

  defineEvent({
    type: 'order.created',
    title: 'New Order',
    noun: 'Order',
    description: 'Triggers when a customer completes an order for a course, bundle, membership or other product.',
    ...onPurchase,
    data: { order: Order, product: Product },
  }),
  defineEvent({
    type: 'payment.succeeded',
    title: 'Payment Succeeded',
    noun: 'Payment',
    description: 'Triggers when a payment goes through, including subscription and payment-plan installments.',
    ...onPurchase,
    data: { payment: Payment, product: Product.nullable() },
  }),
  defineEvent({
    type: 'payment.failed',
    title: 'Payment Failed',
    noun: 'Payment',
    description: 'Triggers when a payment is declined or otherwise fails.',
    ...onPurchase,
    data: { payment: Payment, product: Product.nullable() },
  }),
  defineEvent({
    type: 'payment.refunded',
    title: 'Payment Refunded',
    noun: 'Refund',
    description: 'Triggers when a payment is refunded in full or in part.',
    ...onPurchase,
    data: { payment: Payment, product: Product.nullable() },
  }),
  defineEvent({
    type: 'subscription.started',
    title: 'Subscription Started',
    noun: 'Subscription',
    description: 'Triggers when a customer starts a paid subscription or payment plan.',
    ...onPurchase,
    data: { subscription: Subscription, product: Product.nullable() },
  }),
  defineEvent({
    type: 'subscription.trial_started',
    title: 'Subscription Trial Started',
    noun: 'Subscription',
    description: 'Triggers when a customer starts a free trial of a subscription.',
    ...onPurchase,
    data: { subscription: Subscription, product: Product.nullable() },
  }),
  defineEvent({
    type: 'subscription.cancelled',
    title: 'Subscription Cancelled',
    noun: 'Subscription',
    description: 'Triggers when a subscription or payment plan is cancelled.',
    ...onPurchase,
    data: { subscription: Subscription, product: Product.nullable() },
  }),

  defineEvent({
    type: 'lead.created',
    title: 'New Lead',
    noun: 'Lead',
    description: 'Triggers when the LMS captures a new lead, such as an email left in a sign-up form or popup.',
    ...onContact,
    data: { lead: Lead },
  }),
  defineEvent({
    type: 'form.submitted',
    title: 'Form Submitted',
    noun: 'Submission',
    description: 'Triggers when someone submits a form on the LMS site.',
    ...onContact,
    data: { form: Form, submission: Submission },
  }),

  defineEvent({
    type: 'lms.event',
    title: 'Other LMS Event',
    noun: 'Event',
    description: 'Triggers when the LMS sends an event no other trigger covers; its raw payload is kept.',
    learner: 'optional',
    course: 'optional',
    enrollment: 'optional',
    data: {},
  }),
] as const;

export type EventDefinitionEntry = (typeof EVENT_DEFINITIONS)[number];
export type EventType = EventDefinitionEntry['type'];
export const EVENT_TYPES = EVENT_DEFINITIONS.map((definition) => definition.type) as readonly EventType[];

/** One event of the catalog: a discriminated union on `type`, inferred from the schemas. */
export type CatalogEvent = z.infer<EventDefinitionEntry['schema']>;
export type EventOf<T extends EventType> = Extract<CatalogEvent, { type: T }>;

/** Parses any catalog event; the union discriminates on `type`. */
export const CatalogEventSchema = z.discriminatedUnion(
  'type',
  EVENT_DEFINITIONS.map((definition) => definition.schema) as unknown as [EventDefinitionEntry['schema'], ...EventDefinitionEntry['schema'][]],
);
