import type { SetupGuide } from '../setup-guide.ts';

/** Pointing Kajabi's webhooks at a connection: the console's setup guide. */
export const kajabiSetupGuide: SetupGuide = {
  summary: 'Kajabi purchases, orders, payments, form submissions and contact tags by webhook, created through its Public API.',
  where: 'Kajabi: Settings > Public API (User API Keys); webhooks are created through the API',
  steps: (values) => [
    {
      text: 'In Kajabi, open Settings, then Public API, and create a User API Key with the permissions for the events you want (purchases, transactions, orders, form submissions, contacts).',
    },
    {
      text: 'Create one webhook per event through the Public API (POST /v1/hooks with target_url and event), with this URL as the target. Kajabi signs nothing: the token in this URL is what protects the connection, so keep it private.',
      paste: [{ label: 'target_url', value: values.ingestUrl }],
    },
    { text: 'Add the client ID and secret under LMS API (Change settings) so events whose payload lacks a contact’s details are filled in.' },
  ],
  tick: ['purchase', 'payment_succeeded', 'form_submission', 'tag_added'],
  docs: 'https://developers.kajabi.com/articles/api-integrations/public-api/using-kajabis-public-api',
};
