import type { SetupGuide } from '../setup-guide.ts';

/** Pointing Canvas Live Events at a connection: the console's setup guide (canvas-lms doc/api/data_services/md/static/data_service_setup.md, its "HTTPS delivery failures" for retries). */
export const canvasSetupGuide: SetupGuide = {
  summary: 'Canvas LMS Live Events over HTTPS (Canvas format) for completions, progress, enrollments and users; filled in from the Canvas API.',
  where: 'Canvas admin: Admin > your account > Data Services > + Add',
  steps: (values) => [
    { text: 'In Canvas, open Admin, choose the root account, then Data Services, and press + Add to create a subscription.' },
    {
      text: 'Choose the HTTPS delivery method and paste this URL. It carries its own secret token: keep it private.',
      paste: [{ label: 'HTTPS URL', value: values.ingestUrl }],
    },
    {
      text:
        values.inbound.signed_payloads === 'required'
          ? 'Turn "Sign Payload" on and choose the Canvas event format (not Caliper): this connection refuses unsigned events, and checks each signature against the keys Instructure publishes.'
          : 'Turn "Sign Payload" on and choose the Canvas event format (not Caliper): learnhook checks each signature against the keys Instructure publishes. Then set this connection\'s signed payloads to "required" (Change settings), so unsigned requests are refused.',
    },
    { text: 'Select the events you want (the list below names the ones learnhook maps; others arrive as LMS events), then save.' },
    {
      text: 'Canvas retries an event learnhook refuses (or cannot take while its keys cannot be read) up to three times over about 20 minutes, then drops it, and switches the subscription off after many failures within a day: the recent arrivals here show each refusal.',
    },
    {
      text: 'Add the Canvas API settings (Change settings, LMS API: your Canvas URL and an admin access token from Account > Settings > New Access Token) so learnhook can fill in emails and course titles.',
    },
  ],
  tick: ['course_completed', 'course_progress', 'enrollment_created', 'user_created'],
  docs: 'https://community.canvaslms.com/t5/Admin-Guide/How-do-I-subscribe-to-Live-Events-using-Canvas-Data-Services/ta-p/227',
};
