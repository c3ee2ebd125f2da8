import { lrsStep, type SetupGuide, text } from '../setup-guide.ts';

/** Pointing a Standard Webhooks sender (or xAPI source) at a connection: the console's setup guide. */
export const standardSetupGuide: SetupGuide = {
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
};
