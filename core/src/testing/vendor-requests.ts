import { createHmac } from 'node:crypto';
import type { Vendor } from '../catalog/index.ts';
import { signStandardWebhook } from '../signatures/standard-webhooks.ts';
import { skillforgeItem, skillforgeRequest } from './custom-lms.ts';

/**
 * One realistic, correctly authenticated request per vendor format, for tests that speak HTTP to
 * a real hub. Bodies follow each vendor's documented fields (see the adapters' tests for the
 * citations); `inbound` is the connection's inbound settings as the hub answered them.
 */
export interface WireRequest {
  path: '' | '/xapi/statements';
  headers: Record<string, string>;
  body: string;
}

type Inbound = Record<string, unknown>;

const basic = (credentials: unknown): string => {
  const { username, password } = credentials as { username: string; password: string };
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
};

export const USER_ID = '5f3c2a10-7b1e-4c8d-9e2f-0a1b2c3d4e5f';
export const COURSE_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

/** A request whose one event maps to enrollment.completed, unique per `n`. */
export function completionRequest(vendor: Vendor | 'xapi', inbound: Inbound, n = 1): WireRequest {
  const json = { 'content-type': 'application/json' };
  switch (vendor) {
    case 'absorb':
      return {
        path: '',
        headers: json,
        body: JSON.stringify({
          eventName: 'Enrollment Completed by Learner',
          userId: USER_ID,
          courseId: COURSE_ID,
          enrollmentId: `enr-${n}`,
          clientId: 'acme',
          correlationId: `corr-${n}`,
        }),
      };
    case 'learn365': {
      const body = JSON.stringify(
        {
          Id: `notif-${n}`,
          Attempt: 1,
          Properties: {},
          Notifications: [
            {
              Action: 'CourseCompleted',
              EnrollmentStatus: 3,
              EnrollmentStatusText: 'Completed',
              TimeStamp: '2026-11-20T14:03:11Z',
              Course: {
                SiteId: 's',
                WebId: 'w',
                Id: '42',
                Title: 'Compliance 101',
                Url: 'https://acme.sharepoint.example/sites/lms/compliance-101',
                CourseType: 'ELearning',
                Published: true,
              },
              Users: [
                {
                  Id: '7',
                  DirectoryObjectId: USER_ID,
                  EnrollmentId: String(900 + n),
                  LoginName: 'i:0#.f|membership|maya@acme.example',
                  Title: 'Maya Chen',
                  Department: 'Sales',
                  Email: 'maya@acme.example',
                },
              ],
            },
          ],
        },
        null,
        2,
      ).replace(/\n/g, '\r\n');
      const signature = createHmac('sha256', String(inbound.secret)).update(body).digest('hex').toUpperCase();
      return { path: '', headers: { ...json, 'ms-signature': `sha256=${signature}` }, body };
    }
    case 'adobe-alm':
      return {
        path: '',
        headers: json,
        body: JSON.stringify({
          accountId: 1234,
          events: [
            {
              eventId: `alm-${n}`,
              eventName: 'COURSE_COMPLETED',
              timestamp: 1795183391000,
              data: { userId: 5678, loId: 'course:4321', loInstanceId: 'course:4321_8765', loType: 'course', dateCompleted: 1795183391000, hasPassed: true },
            },
          ],
        }),
      };
    case 'learnworlds':
      // learnworlds.dev "Webhooks": a version-2 hook, signed with the school's pre-shared v1= value.
      return {
        path: '',
        headers: { ...json, 'learnworlds-webhook-signature': `v1=${String(inbound.signature)}` },
        body: JSON.stringify({
          version: 2,
          type: 'courseCompleted',
          trigger: 'courseCompleted',
          school_id: 'acme-academy',
          data: {
            created: 1795183391 + n,
            user: { id: '5f8d0d55b54764421b7156c1', email: 'maya@acme.example', username: 'maya' },
            course: { id: 'compliance-101', title: 'Compliance 101' },
          },
        }),
      };
    case 'litmos':
      // litmos.com/docs "Webhooks payload": the published achievement.earned example, unsigned.
      return {
        path: '',
        headers: json,
        body: JSON.stringify({
          id: 4513 + n,
          created: '2026-11-20T14:03:11.533',
          type: 'achievement.earned',
          object: 'event',
          data: {
            userId: 'yj-nr8PhW8o1',
            userName: 'maya',
            courseId: 'nAcqwEA8jUo1',
            title: 'Compliance 101',
            code: '',
            achievementDate: '2026-11-20T14:03:11.000',
            compliantTilldate: null,
            result: 'Completed',
            type: 'Course Completed',
            firstName: 'Maya',
            lastName: 'Chen',
            achievementId: 368800 + n,
            certificateId: null,
          },
        }),
      };
    case 'seismic-learning':
      return {
        path: '',
        headers: { ...json, authorization: String(inbound.authorization) },
        body: JSON.stringify({
          user: { id: 3141, ext_uid: null, name: 'Maya Chen', email: 'maya@acme.example' },
          lesson: { id: 2718 + n, title: 'Handling Objections', retake_score: 0.8 },
          score_percent: 92,
          started_at: '2026-11-20T13:40:00Z',
          completed_at: '2026-11-20T14:03:11Z',
          assigned_at: '2026-11-02T09:15:00Z',
        }),
      };
    case 'standard': {
      const body = JSON.stringify({
        type: 'enrollment.completed',
        timestamp: '2026-11-20T14:03:11Z',
        data: {
          learner: { id: USER_ID, email: 'maya@acme.example' },
          course: { id: COURSE_ID, title: 'Compliance 101' },
          enrollment: { status: 'completed', progress: 100 },
        },
      });
      const headers = signStandardWebhook({ id: `msg_${n}`, timestampSeconds: Date.now() / 1000, body, secret: String(inbound.secret) });
      return { path: '', headers: { ...json, ...headers }, body };
    }
    case '360learning': {
      // https://360learning.readme.io/docs/event-payload-and-headers: {type, timestamp (ms), data}, ObjectIds.
      const body = JSON.stringify({
        type: 'course.attempt.closed',
        timestamp: 1763370163000,
        data: {
          attemptId: `6840c6f0a3b2c1d0e9f8${String(n).padStart(4, '0')}`,
          closedAt: '2026-11-20T14:03:11.000Z',
          userId: '684c154ab06eb32565e5cbc0',
          courseId: '507f1f77bcf86cd799439011',
          reason: 'learnerFinished',
          context: {},
        },
      });
      const headers = signStandardWebhook({ id: `msg_360_${n}`, timestampSeconds: Date.now() / 1000, body, secret: String(inbound.secret) });
      return { path: '', headers: { ...json, ...headers }, body };
    }
    case 'thinkific': {
      // https://support.thinkific.dev/hc/en-us/articles/4422658311703-Webhooks-Documentation: the enrollment envelope.
      const body = JSON.stringify({
        id: `2026112014031100000${n}`,
        resource: 'enrollment',
        action: 'completed',
        tenant_id: '59',
        created_at: '2026-11-20T14:03:11.000Z',
        payload: {
          id: 300 + n,
          course: { id: 68, name: 'Compliance 101' },
          course_id: 68,
          percentage_completed: '100.0',
          activated_at: '2026-11-02T09:15:00.000Z',
          completed_at: '2026-11-20T14:03:11.000Z',
          user: { id: 94, email: 'maya@acme.example', first_name: 'Maya', last_name: 'Chen' },
        },
      });
      const signature = createHmac('sha256', String(inbound.signing_key)).update(body).digest('hex');
      return { path: '', headers: { ...json, 'x-thinkific-topic': 'enrollment.completed', 'x-thinkific-hmac-sha256': signature }, body };
    }
    case 'kajabi':
      // Kajabi sends no learning events: its nearest is a purchase (GET /v1/hooks/purchase_sample), unsigned.
      return {
        path: '',
        headers: json,
        body: JSON.stringify({
          id: String(700 + n),
          event: 'purchase',
          payload: [
            {
              id: String(700 + n),
              type: 'purchases',
              attributes: { amount_in_cents: 1000, currency: 'USD' },
              relationships: { customer: { data: { id: '42', type: 'customers' } } },
            },
            {
              id: '42',
              type: 'customers',
              attributes: { name: 'Maya Chen', email: 'maya@acme.example' },
              relationships: { contact: { data: { id: '42', type: 'contacts' } } },
            },
          ],
        }),
      };
    case 'custom':
      // A custom connection reads what its mapping says: this is Skillforge's, with SKILLFORGE_MAPPING.
      return skillforgeRequest([skillforgeItem(n)]);
    case 'canvas':
      // instructure/canvas-lms doc/api/data_services/json/canvas/event-types/course_completed.json, unsigned.
      return {
        path: '',
        headers: json,
        body: JSON.stringify({
          metadata: {
            event_name: 'course_completed',
            event_time: '2019-11-01T19:11:26.615Z',
            request_id: `req-${n}`,
            root_account_id: '21070000000000001',
            producer: 'canvas',
          },
          body: {
            course: { account_id: '79', id: '565', name: 'Computer Science I', sis_source_id: '2017.100.101.101-1' },
            progress: { completed_at: '2019-11-05T13:38:00.218Z', next_requirement_url: null, requirement_completed_count: 6 + n, requirement_count: 6 + n },
            user: { email: 'inewton@example.com', id: '123', name: 'Isaac Newton' },
          },
        }),
      };
    case 'xapi':
      return {
        path: '/xapi/statements',
        headers: { ...json, 'x-experience-api-version': '1.0.3', authorization: basic(inbound.xapi) },
        body: JSON.stringify({
          id: `6f1c2b9e-0d4a-4c3b-8e7f-${String(n).padStart(12, '0')}`,
          actor: { objectType: 'Agent', name: 'Maya Chen', mbox: 'mailto:maya@acme.example' },
          verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
          object: {
            objectType: 'Activity',
            id: 'https://acme.lessonly.example/lessons/2718',
            definition: { name: { 'en-US': 'Handling Objections' }, type: 'http://adlnet.gov/expapi/activities/lesson' },
          },
          result: { completion: true, success: true, score: { scaled: 0.92 } },
          timestamp: '2026-11-20T14:03:11Z',
        }),
      };
  }
}

/** One ALM request carrying `count` completion events (ALM batches its webhooks), numbered from `first`. */
export function almBatchRequest(inbound: Inbound, first: number, count: number): WireRequest {
  const requests = Array.from({ length: count }, (_, index) => completionRequest('adobe-alm', inbound, first + index));
  const events = requests.map((request) => (JSON.parse(request.body) as { events: unknown[] }).events[0]);
  const [one] = requests;
  if (!one) throw new Error('a batch needs at least one event');
  return { ...one, body: JSON.stringify({ ...(JSON.parse(one.body) as object), events }) };
}

/** Sends a wire request to a connection's ingest URL, as the LMS would. */
export function sendToIngest(ingestUrl: string, request: WireRequest): Promise<Response> {
  return fetch(ingestUrl + request.path, { method: 'POST', headers: request.headers, body: request.body });
}
