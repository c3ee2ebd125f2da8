import { z } from 'zod';
import { PayloadError } from '../../errors.ts';
import type { IngestRequest } from '../adapter.ts';
import { parseJsonBody, parseWith, toPayloadIssues } from '../parse-body.ts';
import { type Learn365ActionRule, learn365ActionRule } from './tables.ts';

/**
 * Reading a Learn365 (Zensai, formerly LMS365) ASP.NET WebHooks body into one event per notification.
 *
 * Body: `{Id, Attempt, Properties, Notifications: [{Action, ...}]}`. `Id` is the work item's id:
 * the same on every retry while `Attempt` counts up (1, 2, 3).
 *
 * Notification shapes (the certified LMS365 Power Automate connector, microsoft/PowerPlatformConnectors):
 * - enrollment actions (CourseEnrollment, CourseUnenrollment, CourseStarted, CourseCompleted,
 *   EnrollmentApprovalRequest): `{Action, EnrollmentStatus, EnrollmentStatusText, Course{SiteId, WebId,
 *   Id, Title, Url, CourseType, Published}, Users[{Id, DirectoryObjectId, EnrollmentId, LoginName, Title,
 *   Department, Email}], TimeStamp}`; one notification may name several users.
 * - course actions (CoursePublished, CourseUnpublished, CourseCreated, CourseDeleted) are flat:
 *   `{Action, SiteId, WebId, Id (the course), Title, Url, CourseType, Published, TimeStamp}`.
 * - user actions (UserCreated, UserDeleted): `{Action, UserId, LoginName, Email, Title,
 *   DirectoryObjectId, IsDeleted, UserFieldValues[{FieldId, FieldTitle, Value}], TimeStamp}`.
 */

const text = z.string().nullish();

const Learn365User = z.looseObject({
  Id: z.string().min(1),
  DirectoryObjectId: text,
  EnrollmentId: text,
  LoginName: text,
  Title: text,
  Department: text,
  Email: text,
});

const Learn365Course = z.looseObject({
  Id: z.string().min(1),
  SiteId: text,
  WebId: text,
  Title: text,
  Url: text,
  CourseType: text,
  Published: z.boolean().nullish(),
});

const EnrollmentNotification = z.looseObject({
  Action: z.string(),
  EnrollmentStatus: z.number().nullish(),
  EnrollmentStatusText: text,
  Course: Learn365Course,
  Users: z.array(Learn365User).min(1),
  TimeStamp: text,
});

/** The flat shape: the notification itself describes the course. */
const CourseNotification = Learn365Course.extend({ Action: z.string(), TimeStamp: text });

const UserNotification = z.looseObject({
  Action: z.string(),
  UserId: z.string().min(1),
  LoginName: text,
  Email: text,
  Title: text,
  DirectoryObjectId: text,
  IsDeleted: z.boolean().nullish(),
  TimeStamp: text,
});

const Envelope = z.looseObject({
  Id: z.string().min(1),
  Attempt: z.number().int().nullish(),
  Properties: z.record(z.string(), z.unknown()).nullish(),
  Notifications: z.array(z.looseObject({ Action: z.string().min(1) })).min(1),
});

interface Common {
  /** The work item id: stable across Learn365's retries. */
  webhookId: string;
  attempt: number | null;
  /** Position in Notifications: one request can carry several. */
  index: number;
  action: string;
  /** The envelope as received with only this notification in it. */
  raw: unknown;
}

/** One Learn365 notification, checked against the shape its Action documents. */
export type Learn365Event = Common &
  (
    | { shape: 'enrollment'; rule: Learn365ActionRule; notification: z.infer<typeof EnrollmentNotification> }
    | { shape: 'course'; rule: Learn365ActionRule; notification: z.infer<typeof CourseNotification> }
    | { shape: 'user'; rule: Learn365ActionRule; notification: z.infer<typeof UserNotification> }
    | { shape: 'other'; notification: Record<string, unknown> }
  );

const SHAPES = { enrollment: EnrollmentNotification, course: CourseNotification, user: UserNotification } as const;

/** Like parseWith, for a notification, so issues name their place in the whole body ("Notifications.1.Users.0.Id"). */
function parseNotification<S extends z.ZodType>(schema: S, value: unknown, index: number, action: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = toPayloadIssues(result.error).map((issue) => ({
    path: issue.path ? `Notifications.${index}.${issue.path}` : `Notifications.${index}`,
    message: issue.message,
  }));
  const first = issues[0];
  const where = first ? ` at ${first.path}: ${first.message}` : '';
  throw new PayloadError(`The body is not a valid Learn365 ${action} notification${where}.`, issues);
}

/** One event per notification, each checked against the shape its Action documents; a PayloadError (400) names the failing path. */
export function parseLearn365Notifications(request: IngestRequest): Learn365Event[] {
  const envelope = parseWith(Envelope, parseJsonBody(request.body), 'Learn365 notification');
  return envelope.Notifications.map((notification, index): Learn365Event => {
    const common: Common = {
      webhookId: envelope.Id,
      attempt: envelope.Attempt ?? null,
      index,
      action: notification.Action,
      raw: { Id: envelope.Id, Attempt: envelope.Attempt, Properties: envelope.Properties, Notifications: [notification] },
    };
    const rule = learn365ActionRule(notification.Action);
    if (!rule) return { ...common, shape: 'other', notification };
    switch (rule.shape) {
      case 'enrollment':
        return { ...common, shape: 'enrollment', rule, notification: parseNotification(SHAPES.enrollment, notification, index, notification.Action) };
      case 'course':
        return { ...common, shape: 'course', rule, notification: parseNotification(SHAPES.course, notification, index, notification.Action) };
      default:
        return { ...common, shape: 'user', rule, notification: parseNotification(SHAPES.user, notification, index, notification.Action) };
    }
  });
}
