import type { Product } from './commerce.ts';
import type { EventOf, EventType } from './event-types.ts';
import type { Course, Enrollment, Learner } from './parts.ts';

/**
 * One realistic sample per catalog type: what a Zap or workflow author maps fields from before any
 * real event has arrived. A test parses every sample with its own schema.
 */

const learner: Learner = {
  id: 'c1a7e5d2-4b8f-4f0e-9a51-3d2b7e6f9a10',
  email: 'maya.chen@acme-training.example',
  username: 'maya.chen',
  first_name: 'Maya',
  last_name: 'Chen',
  name: 'Maya Chen',
  department: 'Customer Success',
};

const course: Course = {
  id: '6f1c2b9e-0d4a-4c3b-8e7f-1a2b3c4d5e6f',
  title: 'Compliance 101: Data Protection Essentials',
  kind: 'online_course',
  url: 'https://acme-training.example/courses/compliance-101',
};

function enrollment(status: Enrollment['status'], progress: number | null, done = false): Enrollment {
  return {
    id: 'e7d3a1f0-2c5b-4e8a-9f6d-0b1c2d3e4f5a',
    status,
    progress,
    score: done ? 92 : null,
    passed: done ? true : null,
    enrolled_at: '2026-11-02T09:15:00Z',
    completed_at: done ? '2026-11-20T14:03:11Z' : null,
  };
}

/** A course sold as its own product: the purchase events carry it both as the course and as the product. */
const soldCourse: Course = {
  id: '1742',
  title: 'Grant Writing Masterclass',
  kind: 'online_course',
  url: 'https://acme-training.example/courses/grant-writing-masterclass',
};
const soldCourseProduct: Product = { id: '288031', name: 'Grant Writing Masterclass', kind: 'course' };
const membership: Product = { id: 'all-access', name: 'All-Access Membership', kind: 'subscription' };

function subscription(status: string, dates: { trial_ends_at?: string; cancelled_at?: string; ends_at?: string } = {}) {
  return {
    id: 'sub_64f1c2a9e3b7d50012ab34cd',
    status,
    plan_id: 'all-access-monthly',
    plan_name: 'All-Access Monthly',
    interval: 'month' as const,
    interval_count: 1,
    amount: 2900,
    currency: 'EUR',
    started_at: '2026-11-20T14:03:11Z',
    trial_ends_at: dates.trial_ends_at ?? null,
    cancelled_at: dates.cancelled_at ?? null,
    ends_at: dates.ends_at ?? null,
  };
}

const statementActivity = {
  id: 'https://acme.lessonly.example/lessons/4821-handling-objections',
  name: 'Handling Objections',
  type: 'http://adlnet.gov/expapi/activities/lesson',
};

function envelope<T extends EventType>(type: T, vendorEvent: string, vendor: EventOf<T>['source']['vendor'] = 'absorb') {
  return {
    id: `evt_sample_${type.replace('.', '_')}`,
    type,
    occurred_at: '2026-11-20T14:03:11Z',
    received_at: '2026-11-20T14:03:11.482Z',
    source: { vendor, connection: 'acme', event: vendorEvent, event_id: '5b2e8c4a-7d1f-4e3a-b6c9-0a8d7e6f5c4b' },
    actor: { id: learner.id, role: 'learner' as const },
    learner: null,
    course: null,
    enrollment: null,
    data: {},
    hydration: { status: 'complete' as const, missing: [] },
    raw: { sample: true },
  };
}

const statement = (verb: string, result: EventOf<'question.answered'>['data']['statement']['result'] = null) => ({
  statement_id: '9c7b5a3e-1f2d-4c6b-8a9e-0d1f2e3c4b5a',
  verb,
  activity: statementActivity,
  result,
});

export const SAMPLES: { readonly [T in EventType]: EventOf<T> } = {
  'user.created': { ...envelope('user.created', 'User Created'), actor: { id: '2d4f6a8c-1b3e-4d5f-9a7c-8e6b4d2f0a1c', role: 'admin' }, learner },
  'user.updated': { ...envelope('user.updated', 'user-updated', 'seismic-learning'), learner },
  'user.deactivated': { ...envelope('user.deactivated', 'user-archived', 'seismic-learning'), actor: { id: null, role: 'admin' }, learner },
  'user.reactivated': { ...envelope('user.reactivated', 'user-restored', 'seismic-learning'), actor: { id: null, role: 'admin' }, learner },
  'enrollment.created': {
    ...envelope('enrollment.created', 'COURSE_ENROLLMENT', 'adobe-alm'),
    learner,
    course,
    enrollment: enrollment('enrolled', 0),
    data: { enrollment_source: 'SELF' },
  },
  'enrollment.removed': {
    ...envelope('enrollment.removed', 'COURSE_UNENROLLMENT', 'adobe-alm'),
    learner,
    course,
    enrollment: enrollment('removed', 40),
    data: { enrollment_source: 'ADMIN' },
  },
  'enrollment.approval_requested': {
    ...envelope('enrollment.approval_requested', 'EnrollmentApprovalRequest', 'learn365'),
    learner,
    course,
    enrollment: enrollment('pending_approval', null),
  },
  'enrollment.started': { ...envelope('enrollment.started', 'CourseStarted', 'learn365'), learner, course, enrollment: enrollment('in_progress', 5) },
  'enrollment.progressed': {
    ...envelope('enrollment.progressed', 'LEARNER_PROGRESS', 'adobe-alm'),
    learner,
    course,
    enrollment: enrollment('in_progress', 60),
  },
  'enrollment.completed': {
    ...envelope('enrollment.completed', 'Enrollment Completed by Learner'),
    learner,
    course,
    enrollment: enrollment('completed', 100, true),
  },
  'session.enrolled': {
    ...envelope('session.enrolled', 'Session Enrollment Completed'),
    learner,
    course: { ...course, id: 'a3c5e7f9-2b4d-4f6a-8c0e-1d3f5b7a9c2e', title: 'Leading Difficult Conversations (Workshop)', kind: 'instructor_led', url: null },
    enrollment: null,
    data: {
      session: { id: 'f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f', title: 'Leading Difficult Conversations — Boston, Dec 3', starts_at: '2026-12-03T14:00:00Z' },
    },
  },
  'session.attended': {
    ...envelope('session.attended', 'http://adlnet.gov/expapi/verbs/attended', 'seismic-learning'),
    learner,
    course: null,
    enrollment: null,
    data: { session: { id: 'https://acme.lessonly.example/sessions/77-kickoff', title: 'Q4 Sales Kickoff Live Session', starts_at: null } },
  },
  'course.created': { ...envelope('course.created', 'Online Course Added'), actor: { id: '2d4f6a8c-1b3e-4d5f-9a7c-8e6b4d2f0a1c', role: 'admin' }, course },
  'course.published': { ...envelope('course.published', 'CoursePublished', 'learn365'), actor: null, course },
  'course.unpublished': { ...envelope('course.unpublished', 'CourseUnpublished', 'learn365'), actor: null, course },
  'course.deleted': { ...envelope('course.deleted', 'LEARNING_OBJECT_DELETION', 'adobe-alm'), actor: null, course },
  'certificate.awarded': {
    ...envelope('certificate.awarded', 'Certificate Awarded'),
    actor: { id: null, role: 'system' },
    learner,
    course,
    data: {
      certificate: {
        id: '0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d',
        title: 'Data Protection Certified',
        awarded_at: '2026-11-20T14:03:12Z',
        expires_at: '2027-11-20T00:00:00Z',
      },
    },
  },
  'competency.awarded': {
    ...envelope('competency.awarded', 'Competency Awarded'),
    actor: { id: null, role: 'system' },
    learner,
    data: { competency: { id: '7e6d5c4b-3a29-4180-9f8e-7d6c5b4a3928', title: 'GDPR Awareness', level: 2 } },
  },
  'credits.awarded': {
    ...envelope('credits.awarded', 'Course Credits Awarded'),
    actor: { id: null, role: 'system' },
    learner,
    course,
    data: { credits: { amount: 1.5, type: 'CPE' } },
  },
  'assessment.completed': {
    ...envelope('assessment.completed', 'Self-Assessment Completed'),
    learner,
    data: { assessment: { id: '3f2e1d0c-9b8a-4766-5544-332211009988', title: 'Leadership Self-Assessment', score: 78, passed: null } },
  },
  'activity.viewed': {
    ...envelope('activity.viewed', 'http://id.tincanapi.com/verb/viewed', 'seismic-learning'),
    learner,
    data: { statement: statement('http://id.tincanapi.com/verb/viewed') },
  },
  'activity.liked': {
    ...envelope('activity.liked', 'http://activitystrea.ms/schema/1.0/like', 'seismic-learning'),
    learner,
    data: { statement: statement('http://activitystrea.ms/schema/1.0/like') },
  },
  'activity.disliked': {
    ...envelope('activity.disliked', 'http://activitystrea.ms/schema/1.0/dislike', 'seismic-learning'),
    learner,
    data: { statement: statement('http://activitystrea.ms/schema/1.0/dislike') },
  },
  'question.answered': {
    ...envelope('question.answered', 'http://adlnet.gov/expapi/verbs/answered', 'seismic-learning'),
    learner,
    data: {
      statement: statement('http://adlnet.gov/expapi/verbs/answered', {
        success: true,
        completion: true,
        response: 'Acknowledge, then ask an open question',
        score_scaled: 1,
        duration: 'PT42S',
      }),
    },
  },
  'question.skipped': {
    ...envelope('question.skipped', 'http://id.tincanapi.com/verb/skipped', 'seismic-learning'),
    learner,
    data: { statement: statement('http://id.tincanapi.com/verb/skipped') },
  },
  'search.performed': {
    ...envelope('search.performed', 'http://id.tincanapi.com/verb/searched', 'seismic-learning'),
    learner,
    data: {
      statement: statement('http://id.tincanapi.com/verb/searched', {
        success: null,
        completion: null,
        response: 'pricing objections',
        score_scaled: null,
        duration: null,
      }),
      query: 'pricing objections',
    },
  },
  'group.created': {
    ...envelope('group.created', 'Group Created'),
    actor: { id: '2d4f6a8c-1b3e-4d5f-9a7c-8e6b4d2f0a1c', role: 'admin' },
    data: { group: { id: '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e', name: 'New Hires — November' } },
  },
  'group.deleted': {
    ...envelope('group.deleted', 'Group Deleted'),
    actor: { id: '2d4f6a8c-1b3e-4d5f-9a7c-8e6b4d2f0a1c', role: 'admin' },
    data: { group: { id: '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e', name: null } },
  },
  'department.created': {
    ...envelope('department.created', 'Department Created'),
    actor: { id: '2d4f6a8c-1b3e-4d5f-9a7c-8e6b4d2f0a1c', role: 'admin' },
    data: { department: { id: '9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b', name: 'Customer Success' } },
  },
  'department.deleted': {
    ...envelope('department.deleted', 'Department Deleted'),
    actor: { id: '2d4f6a8c-1b3e-4d5f-9a7c-8e6b4d2f0a1c', role: 'admin' },
    data: { department: { id: '9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b', name: null } },
  },
  'user.deleted': {
    ...envelope('user.deleted', 'user.deleted', 'standard'),
    actor: { id: '2d4f6a8c-1b3e-4d5f-9a7c-8e6b4d2f0a1c', role: 'admin' },
    learner,
  },
  'user.tag_added': {
    ...envelope('user.tag_added', 'user.tag_added', 'standard'),
    actor: { id: null, role: 'system' },
    learner,
    data: { tag: { id: '9124', name: 'VIP Customer' } },
  },
  'user.tag_removed': {
    ...envelope('user.tag_removed', 'user.tag_removed', 'standard'),
    actor: { id: '2d4f6a8c-1b3e-4d5f-9a7c-8e6b4d2f0a1c', role: 'admin' },
    learner,
    data: { tag: { id: '9087', name: 'Trial' } },
  },
  'order.created': {
    ...envelope('order.created', 'order.created', 'standard'),
    learner,
    course: soldCourse,
    data: {
      order: {
        id: '19796',
        number: '1010',
        status: 'Complete',
        amount: 4900,
        subtotal: 5900,
        discount: 1000,
        tax: 0,
        currency: 'USD',
        coupon_code: 'LAUNCH10',
        payment_type: 'one-time',
        affiliate_code: null,
      },
      product: soldCourseProduct,
    },
  },
  'payment.succeeded': {
    ...envelope('payment.succeeded', 'payment.succeeded', 'standard'),
    learner,
    data: {
      payment: {
        id: '2150873341',
        order_id: '5531',
        subscription_id: null,
        amount: 9700,
        currency: 'USD',
        method: 'card',
        provider: 'stripe',
        failure_reason: null,
      },
      product: { id: '2148790123', name: 'Coaching Accelerator', kind: 'offer' },
    },
  },
  'payment.failed': {
    ...envelope('payment.failed', 'payment.failed', 'standard'),
    actor: { id: null, role: 'system' },
    learner,
    data: {
      payment: {
        id: '80412',
        order_id: '19802',
        subscription_id: '5521',
        amount: 2900,
        currency: 'CAD',
        method: 'card',
        provider: 'thinkific_payments',
        failure_reason: 'Your card has insufficient funds.',
      },
      product: membership,
    },
  },
  'payment.refunded': {
    ...envelope('payment.refunded', 'payment.refunded', 'standard'),
    actor: { id: '2d4f6a8c-1b3e-4d5f-9a7c-8e6b4d2f0a1c', role: 'admin' },
    learner,
    course: soldCourse,
    data: {
      payment: {
        id: '80377',
        order_id: '19796',
        subscription_id: null,
        amount: 4900,
        currency: 'USD',
        method: 'card',
        provider: 'thinkific_payments',
        failure_reason: null,
      },
      product: soldCourseProduct,
    },
  },
  'subscription.started': {
    ...envelope('subscription.started', 'subscription.started', 'standard'),
    learner,
    data: { subscription: subscription('active'), product: membership },
  },
  'subscription.trial_started': {
    ...envelope('subscription.trial_started', 'subscription.trial_started', 'standard'),
    learner,
    data: { subscription: subscription('trialing', { trial_ends_at: '2026-12-04T14:03:11Z' }), product: membership },
  },
  'subscription.cancelled': {
    ...envelope('subscription.cancelled', 'subscription.cancelled', 'standard'),
    learner,
    data: {
      subscription: subscription('cancelled', { cancelled_at: '2027-02-03T08:41:27Z', ends_at: '2027-02-20T14:03:11Z' }),
      product: membership,
    },
  },
  'lead.created': {
    ...envelope('lead.created', 'lead.created', 'standard'),
    actor: null,
    data: {
      lead: {
        id: '88213',
        email: 'jordan.lee@northwind-nonprofit.example',
        first_name: 'Jordan',
        last_name: 'Lee',
        name: 'Jordan Lee',
        phone: null,
        source: 'popup',
      },
    },
  },
  'form.submitted': {
    ...envelope('form.submitted', 'form.submitted', 'standard'),
    actor: null,
    data: {
      form: { id: '2148817363', name: 'Free Workshop Waitlist', url: 'https://acme-training.example/forms/2148817363' },
      submission: {
        id: '2150442107',
        email: 'jordan.lee@northwind-nonprofit.example',
        name: 'Jordan Lee',
        phone: '+1 503 555 0142',
        fields: { address_city: 'Portland', address_country: 'US', company: 'Northwind Nonprofit', how_did_you_hear: 'Podcast' },
      },
    },
  },
  'lms.event': {
    ...envelope('lms.event', 'Curriculum Group Reordered'),
    actor: { id: '2d4f6a8c-1b3e-4d5f-9a7c-8e6b4d2f0a1c', role: 'admin' },
    raw: { eventName: 'Curriculum Group Reordered', userId: '2d4f6a8c-1b3e-4d5f-9a7c-8e6b4d2f0a1c' },
  },
};
