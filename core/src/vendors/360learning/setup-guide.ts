import { type SetupGuide, text } from '../setup-guide.ts';

/** Pointing 360Learning's webhooks at a connection: the console's setup guide (360learning.readme.io "Subscriptions"). */
export const threeSixtyLearningSetupGuide: SetupGuide = {
  summary: '360Learning webhooks (signed with Standard Webhooks) for completions, paths, certificates and users; filled in from the API v2.',
  where: "360Learning's admin interface: the platform settings' Webhooks page (or the API v2: POST /api/v2/webhooks/subscriptions)",
  steps: (values) => [
    {
      text: 'In 360Learning, open the webhooks page of the platform settings and add a subscription for each event type you want (one type per subscription), with this URL. It carries its own secret token: keep it private.',
      paste: [{ label: 'Webhook URL', value: values.ingestUrl }],
    },
    {
      text: "360Learning generates each subscription's signing secret. Copy it (Settings > Webhooks, or GET /api/v2/webhooks/subscriptions/{id}/secrets) and paste it here as the connection's signing secret, in place of this generated one. Subscriptions with different secrets need their own connections.",
      paste: [{ label: 'Signing secret (replace with 360Learning’s)', value: text(values.inbound.secret), secret: true }],
    },
    { text: 'Send a test event from the subscription: the check beside this guide turns green when it arrives.' },
    {
      text: "360Learning's events carry ids only: add API v2 credentials (Settings > API v2 > Add API Credentials, with users and courses/paths read scopes) under Change settings, LMS API, so learnhook can fill in names, emails and titles.",
    },
  ],
  tick: ['course.attempt.closed', 'path.session.user.status.updated', 'user.certificate.awarded', 'user.created'],
  docs: 'https://360learning.readme.io/docs/subscriptions',
};
