import type { SetupGuide } from '../setup-guide.ts';

/** Pointing Absorb's webhooks at a connection: the console's setup guide. */
export const absorbSetupGuide: SetupGuide = {
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
    {
      text: "Absorb's webhooks carry ids only: add the Integration API settings (Change settings, LMS API) so learnhook can fill in names, emails and course titles.",
    },
  ],
  tick: ['Enrollment Completed by Learner', 'Enrollment Completed by Admin', 'Learning Path Completed', 'Certificate Awarded', 'User Created'],
  docs: 'https://support.absorblms.com/hc/en-us/articles/28999993938451-Webhooks',
};
