import type { SetupGuide } from '../setup-guide.ts';

/** Pointing Canvas Live Events at a connection: the console's setup guide (canvas-lms doc/api/data_services/md/static/data_service_setup.md). */
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
      text: 'Turn "Signed JWT payloads" off and choose the Canvas event format (not Caliper): learnhook reads the plain JSON events and cannot check the JWT signature.',
    },
    { text: 'Select the events you want (the list below names the ones learnhook maps; others arrive as LMS events), then save.' },
    {
      text: 'Canvas does not retry while this URL is down and switches the subscription off after repeated failures within a day: check it here if events stop.',
    },
    {
      text: 'Add the Canvas API settings (Change settings, LMS API: your Canvas URL and an admin access token from Account > Settings > New Access Token) so learnhook can fill in emails and course titles.',
    },
  ],
  tick: ['course_completed', 'course_progress', 'enrollment_created', 'user_created'],
  docs: 'https://community.canvaslms.com/t5/Admin-Guide/How-do-I-subscribe-to-Live-Events-using-Canvas-Data-Services/ta-p/227',
};
