import type { SetupGuide } from '../setup-guide.ts';

/** Pointing any LMS's webhook settings at a custom connection, then mapping what it sends. */
export const customSetupGuide: SetupGuide = {
  summary: 'Any other LMS that sends JSON webhooks: you map its fields to learnhook events, no code needed.',
  where: "your LMS's webhook (or notification) settings",
  steps: (values) => [
    {
      text: 'Paste this URL into your LMS\'s webhook settings as the address to send events to (method POST, content type JSON). The secret part of the URL already protects it; if your LMS also signs its webhooks or sends a fixed header, enter the same in "How the LMS proves it is the LMS".',
      paste: [{ label: 'Webhook URL', value: values.ingestUrl }],
    },
    { text: 'Make your LMS send one event, e.g. complete a test course: the check beside this guide turns green when it arrives.' },
    {
      text: 'Then map its fields here: open "Map fields", say where the event name, learner and course are, and check the preview on the request your LMS just sent before you save.',
    },
  ],
  tick: [],
  // Any LMS: there is no one vendor's guide to link to (README "Custom connections" describes the mapping).
  docs: '',
};
