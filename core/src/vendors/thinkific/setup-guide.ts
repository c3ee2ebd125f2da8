import type { SetupGuide } from '../setup-guide.ts';

/** Pointing Thinkific's webhooks at a connection: the console's setup guide. */
export const thinkificSetupGuide: SetupGuide = {
  summary: 'Thinkific enrollments, completions, orders, payments, subscriptions, sign-ups and leads by webhook, signed with your API key.',
  where: 'Thinkific admin: Settings > Code & analytics > Webhooks',
  steps: (values) => [
    {
      text: "Thinkific signs every webhook with your site's API key (Settings > Code & analytics > API): enter it as this connection's Signing Key (Change settings). Until then learnhook refuses Thinkific's requests.",
    },
    { text: 'In Thinkific, open Settings, the Code & analytics tab, then Webhooks, and choose New Webhook.' },
    {
      text: 'Choose the model and topic, and paste this URL as the Target URL. It carries its own secret token: keep it private. Make one webhook per topic.',
      paste: [{ label: 'Target URL', value: values.ingestUrl }],
    },
    {
      text: 'Thinkific documents the signature for webhooks created through its Webhooks API; if requests made in the admin screens arrive unsigned, create them through the API instead.',
    },
    { text: 'Add the subdomain and API key under LMS API (Change settings) so events carry course addresses and any missing learner details.' },
    {
      text: "Or let learnhook make the webhooks for you: Thinkific's Webhooks API takes no API key, only the access token of a Thinkific app installed on your site. Give it as the LMS API's App Access Token and tick \"Register the URL in Thinkific for me\" when you connect. Thinkific signs the webhooks an app makes with the app's client secret, so enter that secret as the Signing Key. Deleting the connection deletes the webhooks.",
    },
  ],
  tick: ['enrollment.completed', 'enrollment.created', 'order.created', 'user.signup', 'lead.created'],
  docs: 'https://support.thinkific.dev/hc/en-us/articles/4422685850775-Using-Webhooks',
};
