import { createHmac } from 'node:crypto';
import type { SandboxUser } from '../../sandbox/demo-data.ts';
import { JSON_TYPE, stringOf, uuidFrom, type WireFormat } from '../../sandbox/wire-request.ts';
import { learn365Adapter } from './inbound.ts';
import { LEARN365_COURSE_TYPES } from './tables.ts';

/** The SharePoint site and web the sandbox's Learn365 courses live in: its webhooks and its API name the same ones. */
export const LEARN365_SITE = { SiteId: 'a3f1c2e4-5b6d-4e7f-8a9b-0c1d2e3f4a5b', WebId: 'b4e2d3f5-6c7e-4f8a-9b0c-1d2e3f4a5b6c' } as const;

/** A sandbox user's Learn365 login name: the SharePoint claim its webhooks and its API carry. */
export function learn365LoginName(user: SandboxUser): string {
  return `i:0#.f|membership|${user.email}`;
}

/** A sandbox user's directory (Entra ID) object id, the same in Learn365's webhooks and API. */
export function learn365DirectoryObjectId(user: SandboxUser): string {
  return uuidFrom(`aad-${user.id}`);
}

/** What Learn365 sends: an ASP.NET WebHooks notification, signed with the connection's secret. */
export const learn365WireFormat: WireFormat = (event, subject, inbound) => {
  const { user, course, enrollment, sequence, at } = subject;
  const type = learn365Adapter.events[event];
  const stamp = at.toISOString();
  const courseFields = {
    Id: String(course.id),
    ...LEARN365_SITE,
    Title: course.title,
    Url: course.url,
    CourseType: LEARN365_COURSE_TYPES[course.kind],
    Published: course.published,
  };
  const userFields = { LoginName: learn365LoginName(user), Title: `${user.first_name} ${user.last_name}`, Email: user.email };
  let notification: Record<string, unknown>;
  if (type?.startsWith('user.')) {
    // Learn365's user notifications carry no department: hydration asks the API.
    notification = {
      Action: event,
      UserId: String(user.id),
      DirectoryObjectId: learn365DirectoryObjectId(user),
      ...userFields,
      IsDeleted: type === 'user.deactivated',
      TimeStamp: stamp,
    };
  } else if (type?.startsWith('course.')) {
    notification = { Action: event, ...courseFields, TimeStamp: stamp };
  } else {
    notification = {
      Action: event,
      EnrollmentStatus: enrollment?.status === 'completed' ? 3 : 1,
      EnrollmentStatusText: enrollment?.status === 'completed' ? 'Completed' : 'Enrolled',
      Course: courseFields,
      Users: [{ Id: String(user.id), DirectoryObjectId: learn365DirectoryObjectId(user), EnrollmentId: String(enrollment?.id ?? sequence), ...userFields }],
      TimeStamp: stamp,
    };
  }
  // ASP.NET WebHooks send indented JSON with Windows line ends; the signature covers exactly these bytes.
  const body = JSON.stringify({ Id: uuidFrom(`learn365-${sequence}`), Attempt: 1, Properties: {}, Notifications: [notification] }, null, 2).replace(
    /\n/g,
    '\r\n',
  );
  const signature = createHmac('sha256', stringOf(inbound.secret)).update(body).digest('hex').toUpperCase();
  return { path: '', headers: { ...JSON_TYPE, 'ms-signature': `sha256=${signature}` }, body };
};
