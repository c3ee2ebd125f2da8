/**
 * Samples are built from the fields these public documents describe (none is copied):
 * - "Learn365 webhooks" (Zensai help center, formerly "LMS365 Webhooks"):
 *   https://helpcenter.zensai.com/hc/en-us/articles/115000764449-Learn365-webhooks — actions, ASP.NET WebHooks
 * - The certified LMS365 connector, microsoft/PowerPlatformConnectors
 *   certified-connectors/LMS365/apiDefinition.swagger.json — the notification schema of every trigger
 *   (enrollment, flat course, user shapes) and the CourseType values ELearning, ClassRoom, Webinar, TrainingPlan
 * - ASP.NET WebHooks sender, aspnet/WebHooks WebHookManager.cs — body {Id, Attempt, Properties,
 *   Notifications}, Json.NET indented serialisation, `ms-signature: sha256=<HEX>`, the ?echo= URL check
 */
import { describe, expect, it } from 'vitest';
import { PayloadError } from '../../errors.ts';
import { thrownBy } from '../../testing/errors.ts';
import { ingestRequest } from '../../testing/ingest-request.ts';
import { enrollmentNotification, flatCourseNotification, LEARN365_SAMPLES, learn365Envelope } from '../../testing/learn365-notifications.ts';
import { parseLearn365Notifications } from './notifications.ts';

const { maya } = LEARN365_SAMPLES;

describe('learn365 malformed bodies', () => {
  const payloadError = (body: unknown) => thrownBy(PayloadError, () => parseLearn365Notifications(ingestRequest({ body })));

  it('names a notification without an Action', () => {
    const error = payloadError(learn365Envelope([{ Users: [] }]));
    expect(error.status).toBe(400);
    expect(error.issues.map((issue) => issue.path)).toContain('Notifications.0.Action');
  });

  it('names the place of a missing user id inside an enrollment notification', () => {
    const error = payloadError(
      learn365Envelope([
        flatCourseNotification('CourseCreated'),
        enrollmentNotification('CourseEnrollment', { Users: [maya, { Email: 'no-id@acme-training.example' }] }),
      ]),
    );
    expect(error.issues.map((issue) => issue.path)).toContain('Notifications.1.Users.1.Id');
    expect(error.message).toContain('CourseEnrollment');
  });

  it('names a missing Course, a missing Id and a missing Notifications list', () => {
    expect(payloadError(learn365Envelope([enrollmentNotification('CourseStarted', { Course: undefined })])).issues.map((issue) => issue.path)).toContain(
      'Notifications.0.Course',
    );
    expect(payloadError({ Attempt: 1, Notifications: [flatCourseNotification('CourseCreated')] }).issues.map((issue) => issue.path)).toContain('Id');
    expect(payloadError({ Id: 'abc', Attempt: 1 }).issues.map((issue) => issue.path)).toContain('Notifications');
  });

  it('refuses a body that is not JSON', () => {
    expect(payloadError('{"Id": "abc", ').message).toMatch(/not valid JSON/);
  });
});
