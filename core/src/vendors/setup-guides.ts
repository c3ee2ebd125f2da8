import type { Vendor } from '../catalog/index.ts';

/**
 * What a person does in their LMS's admin screens to point it at a connection, per vendor, from
 * each vendor's own documentation. The console renders these beside the values to paste.
 */

/** The values a guide refers to, as the console holds them for one connection. */
export interface GuideValues {
  ingestUrl: string;
  xapiUrl: string | null;
  /** The connection's inbound settings (secrets masked unless just created). */
  inbound: Readonly<Record<string, unknown>>;
}

/** A value to paste into the LMS, with a copy button. */
export interface Paste {
  label: string;
  value: string;
  secret?: boolean;
}

export interface GuideStep {
  text: string;
  paste?: Paste[];
}

export interface SetupGuide {
  /** One line a gallery card shows. */
  summary: string;
  /** Where in the LMS the settings live. */
  where: string;
  steps(values: GuideValues): GuideStep[];
  /** The vendor's event names worth ticking first; the connection page lists the rest. */
  tick: readonly string[];
  /** The vendor's own documentation for the screen the steps describe. */
  docs: string;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const nested = (value: unknown, key: string): string => (typeof value === 'object' && value !== null ? text(Reflect.get(value, key)) : '');
const lrsStep = (values: GuideValues, what: string): GuideStep[] =>
  values.xapiUrl
    ? [
        {
          text: `${what} Use the xAPI (LRS) endpoint below with HTTP Basic authentication.`,
          paste: [
            { label: 'LRS endpoint', value: values.xapiUrl },
            { label: 'LRS username', value: nested(values.inbound.xapi, 'username') },
            { label: 'LRS password', value: nested(values.inbound.xapi, 'password'), secret: true },
          ],
        },
      ]
    : [];

export const SETUP_GUIDES: { readonly [V in Vendor]: SetupGuide } = {
  absorb: {
    summary: 'Absorb LMS webhooks for completions, enrollments, users and certificates; filled in from the Integration API.',
    where: 'Absorb admin: Client Settings > Webhooks > New Webhook',
    steps: (values) => [
      { text: 'In Absorb, open Client Settings, then Webhooks, and choose New Webhook.' },
      {
        text: 'Paste this URL into the webhook URL field. It carries its own secret token: keep it private.',
        paste: [{ label: 'Webhook URL', value: values.ingestUrl }],
      },
      { text: 'Tick the events you want in Zapier or n8n (the list below names the ones learnhook understands), then save.' },
      { text: 'Press "Test Webhook" in Absorb: the check beside this guide turns green when the test arrives.' },
      { text: "Absorb's webhooks carry ids only: add the Integration API settings below so learnhook can fill in names, emails and course titles." },
    ],
    tick: ['Enrollment Completed by Learner', 'Enrollment Completed by Admin', 'Learning Path Completed', 'Certificate Awarded', 'User Created'],
    docs: 'https://support.absorblms.com/hc/en-us/articles/28999993938451-Webhooks',
  },
  learn365: {
    summary: 'Learn365 (Zensai) course enrollments, starts and completions, signed with a shared secret.',
    where: "Learn365's webhook registration (ASP.NET WebHooks API, done by a Learn365 admin)",
    steps: (values) => [
      {
        text: 'Register a webhook in Learn365 with this URL and secret (the registration body names them WebHookUri and Secret). Learn365 signs every request with the secret.',
        paste: [
          { label: 'WebHookUri', value: values.ingestUrl },
          { label: 'Secret', value: text(values.inbound.secret), secret: true },
        ],
      },
      { text: 'Choose the actions to send (Filters): the list below names the ones learnhook understands.' },
      { text: 'Learn365 checks the URL with a GET request when it registers it; learnhook answers it, and the check beside this guide turns green.' },
      { text: 'Add the API key below so events carry the learner and course details.' },
    ],
    tick: ['CourseEnrollment', 'CourseStarted', 'CourseCompleted', 'CourseUnenrollment'],
    docs: 'https://github.com/aspnet/WebHooks',
  },
  'adobe-alm': {
    summary: 'Adobe Learning Manager enrollments, completions and progress for courses, learning paths and certifications.',
    where: 'Adobe Learning Manager: Integration Admin > Webhooks > Add Webhook',
    steps: (values) => [
      { text: 'Sign in to Adobe Learning Manager as Integration Admin, open Webhooks and choose Add Webhook.' },
      { text: 'Paste this URL as the target URL.', paste: [{ label: 'Target URL', value: values.ingestUrl }] },
      {
        text:
          text(values.inbound.auth) === 'basic'
            ? 'Choose Basic authentication and enter this username and password.'
            : 'Choose "None" as authentication: the URL carries its own secret token. (learnhook cannot check the Signature mode, whose algorithm Adobe does not publish; choose Basic here to add a password.)',
        ...(text(values.inbound.auth) === 'basic'
          ? {
              paste: [
                { label: 'Username', value: text(values.inbound.username) },
                { label: 'Password', value: text(values.inbound.password), secret: true },
              ],
            }
          : {}),
      },
      { text: 'Tick the events to send (the list below names the ones learnhook understands) and save. An account can have at most 5 webhooks.' },
      { text: 'Add the API application settings below so events carry learner names and course titles.' },
    ],
    tick: ['COURSE_ENROLLMENT', 'COURSE_COMPLETED', 'LEARNING_PATH_COMPLETED', 'CERTIFICATION_COMPLETED', 'LEARNER_PROGRESS'],
    docs: 'https://experienceleague.adobe.com/en/docs/learning-manager/using/integration/webhooks/webhooks',
  },
  'seismic-learning': {
    summary: 'Seismic Learning (Lessonly) lesson completions and user changes by webhook, and xAPI statements.',
    where: 'Lessonly: Company Settings > API & Webhook',
    steps: (values) => [
      { text: 'In Seismic Learning (Lessonly), open Company Settings and the API & Webhook tab.' },
      {
        text: 'Paste this URL as the webhook URL, and this value into the authorization field: Lessonly sends it with every request and learnhook checks it.',
        paste: [
          { label: 'Webhook URL', value: values.ingestUrl },
          { label: 'Authorization', value: text(values.inbound.authorization), secret: true },
        ],
      },
      ...lrsStep(values, 'To send xAPI statements as well, add learnhook as an LRS.'),
      { text: 'Add the subdomain and API key below so events carry learner and lesson details.' },
    ],
    tick: ['lesson-completed', 'user-created', 'user-updated'],
    docs: 'https://www.lessonly.com/documentation/reporting-webhook-documentation/',
  },
  standard: {
    summary: 'Any LMS or tool that signs with Standard Webhooks, or sends xAPI statements to an LRS.',
    where: "The sending system's webhook (or LRS) settings",
    steps: (values) => [
      {
        text: 'Point the sender at this URL and give it this signing secret (Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature headers).',
        paste: [
          { label: 'Webhook URL', value: values.ingestUrl },
          { label: 'Signing secret', value: text(values.inbound.secret), secret: true },
        ],
      },
      ...lrsStep(values, 'For xAPI statements, add learnhook as an LRS.'),
      { text: 'Send a test event: the check beside this guide turns green when it arrives.' },
    ],
    tick: ['enrollment.completed', 'enrollment.created', 'certificate.awarded', 'user.created'],
    docs: 'https://www.standardwebhooks.com/',
  },
};
