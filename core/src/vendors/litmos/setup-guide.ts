import type { SetupGuide } from '../setup-guide.ts';

/** Pointing SAP Litmos' webhooks at a connection: the console's setup guide (support.litmos.com "Webhooks"). */
export const litmosSetupGuide: SetupGuide = {
  summary: 'SAP Litmos course and learning path achievements, ILT sessions and SCORM/Tin Can processing by webhook.',
  where: 'Litmos: Account Settings > Litmos Features > Webhooks',
  steps: (values) => [
    { text: 'Webhooks are a premium Litmos feature: ask your Litmos account manager to enable them if the Webhooks panel is missing.' },
    { text: 'In Litmos, open Account Settings from your profile icon, then Litmos Features, then Webhooks, tick "Enable Webhooks" and save.' },
    {
      text: 'Add a webhook for each event you want (Achievement.Earned for courses and for learning paths, Session.Created, Session.Registration, ELearningCourse.Processed) with this URL, and mark it Active. Litmos signs nothing, so keep this URL secret: its token is what protects the connection.',
      paste: [{ label: 'Webhook URL', value: values.ingestUrl, secret: true }],
    },
    {
      text: "Add an Account Owner's API key (My Profile & Settings > API Key) and your region's API base URL (US https://api.litmos.com/v1.svc, EU https://api.litmoseu.com/v1.svc, AU https://api.litmos.com.au/v1.svc) under LMS API: Litmos hooks carry no email, so learners are looked up there.",
    },
  ],
  tick: ['achievement.earned', 'session.registration'],
  docs: 'https://support.litmos.com/hc/en-us/articles/360022948994-Webhooks',
};
