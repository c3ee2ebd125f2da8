import { type SetupGuide, text } from '../setup-guide.ts';

/** Pointing LearnWorlds' webhooks at a connection: the console's setup guide. */
export const learnWorldsSetupGuide: SetupGuide = {
  summary: 'LearnWorlds course completions, certificates, enrollments, sales, subscriptions, leads and tags by webhook.',
  where: 'LearnWorlds: Settings > Developers > Webhooks',
  steps: (values) => [
    { text: 'In LearnWorlds, open Settings, then Developers, then Webhooks.' },
    {
      text: 'Paste this URL as the webhook URL, choose the new version (version 2) of each hook you want, and save.',
      paste: [{ label: 'Webhook URL', value: values.ingestUrl }],
    },
    {
      text: 'LearnWorlds shows a webhook signature on that page and sends it with every hook. Copy it into this connection\'s Webhook Signature ("Change settings"), replacing the value below, which learnhook generated only for the sandbox.',
      paste: [{ label: 'Webhook Signature', value: text(values.inbound.signature), secret: true }],
    },
    { text: 'Add an API client (Settings > Developers > API: client id and secret) under LMS API so events carry learner and course details.' },
  ],
  tick: ['courseCompleted', 'awardedCertificate', 'productBought', 'enrolledFreeCourse'],
  docs: 'https://support.learnworlds.com/support/solutions/articles/12000025878-how-to-use-webhooks',
};
