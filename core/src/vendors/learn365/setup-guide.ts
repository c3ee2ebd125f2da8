import { type SetupGuide, text } from '../setup-guide.ts';

/** Pointing Learn365's webhook registration at a connection: the console's setup guide. */
export const learn365SetupGuide: SetupGuide = {
  summary: 'Learn365 (Zensai) course enrollments, starts and completions, signed with a shared secret.',
  where: "Learn365's webhook registration (ASP.NET WebHooks API, done by a Learn365 admin)",
  steps: (values) => [
    {
      text: 'Register a webhook in Learn365 with this URL and secret (the registration body names them WebHookUri and Secret). Learn365 signs every request with the secret.',
      paste: [
        { label: 'WebHookUri', value: values.ingestUrl },
        { label: 'Secret', value: text(values.inbound.secret), secret: true },
      ],
    },
    { text: 'Choose the actions to send (Filters): the list below names the ones learnhook understands.' },
    { text: 'Learn365 checks the URL with a GET request when it registers it; learnhook answers it, and the check beside this guide turns green.' },
    { text: 'Add the API key ("Change settings", LMS API) so events carry the learner and course details.' },
  ],
  tick: ['CourseEnrollment', 'CourseStarted', 'CourseCompleted', 'CourseUnenrollment'],
  docs: 'https://github.com/aspnet/WebHooks',
};
