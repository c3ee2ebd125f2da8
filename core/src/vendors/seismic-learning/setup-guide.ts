import { lrsStep, type SetupGuide, text } from '../setup-guide.ts';

/** Pointing Seismic Learning's (Lessonly's) webhooks and LRS at a connection: the console's setup guide. */
export const seismicLearningSetupGuide: SetupGuide = {
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
    { text: 'Add the subdomain and API key ("Change settings", LMS API) so events carry learner and lesson details.' },
  ],
  tick: ['lesson-completed', 'user-created', 'user-updated'],
  docs: 'https://www.lessonly.com/documentation/reporting-webhook-documentation/',
};
