import { type SetupGuide, text } from '../setup-guide.ts';

/** Pointing Adobe Learning Manager's webhooks at a connection: the console's setup guide. */
export const adobeAlmSetupGuide: SetupGuide = {
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
    { text: 'Add the API application settings ("Change settings", LMS API) so events carry learner names and course titles.' },
  ],
  tick: ['COURSE_ENROLLMENT', 'COURSE_COMPLETED', 'LEARNING_PATH_COMPLETED', 'CERTIFICATION_COMPLETED', 'LEARNER_PROGRESS'],
  docs: 'https://experienceleague.adobe.com/en/docs/learning-manager/using/integration/webhooks/webhooks',
};
