/**
 * Learn365 notifications for the adapter's tests, built from the fields these public documents
 * describe (none is copied):
 * - The certified LMS365 connector, microsoft/PowerPlatformConnectors
 *   certified-connectors/LMS365/apiDefinition.swagger.json — the notification schema of every trigger
 *   (enrollment, flat course, user shapes)
 * - ASP.NET WebHooks sender, aspnet/WebHooks WebHookManager.cs — body {Id, Attempt, Properties, Notifications}
 */

const maya = {
  Id: '3f2a9c1e-7b4d-4e8a-9c2f-1a6b5d4e3c21',
  DirectoryObjectId: '8d1c6a2f-4e3b-4a9d-b7c6-5e2f1a0d9c83',
  EnrollmentId: 'a7e4c2d1-9b8f-4c3e-8d2a-6f5b4e3d2c10',
  LoginName: 'i:0#.f|membership|maya.chen@acme-training.example',
  Title: 'Maya Chen',
  Department: 'Customer Success',
  Email: 'maya.chen@acme-training.example',
};
const omar = {
  ...maya,
  Id: '5b6c7d8e-1f2a-4b3c-9d4e-0a1b2c3d4e5f',
  EnrollmentId: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e',
  LoginName: 'i:0#.f|membership|omar.haddad@acme-training.example',
  Title: 'Omar Haddad',
  Department: 'Sales',
  Email: 'omar.haddad@acme-training.example',
};
const lena = {
  ...maya,
  Id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
  EnrollmentId: 'c9d8e7f6-a5b4-4c3d-9e2f-1a0b9c8d7e6f',
  LoginName: 'i:0#.f|membership|lena.fischer@acme-training.example',
  Title: 'Lena Fischer',
  Department: 'Finance',
  Email: 'lena.fischer@acme-training.example',
};

const compliance = {
  SiteId: '0c9b8a7f-6e5d-4c3b-2a19-0817f6e5d4c3',
  WebId: '1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a',
  Id: '6f1c2b9e-0d4a-4c3b-8e7f-1a2b3c4d5e6f',
  Title: 'Compliance 101: Data Protection Essentials',
  Url: 'https://acme.sharepoint.com/sites/lms365/compliance-101',
  CourseType: 'ELearning',
  Published: true,
};

/** Users and a course as Learn365 names them in its notifications. */
export const LEARN365_SAMPLES = { maya, omar, lena, compliance };

/** An enrollment-shaped notification of `action` for Maya in the compliance course; `extra` replaces or adds fields. */
export function enrollmentNotification(action: string, extra: Record<string, unknown> = {}) {
  return {
    Action: action,
    EnrollmentStatus: 0,
    EnrollmentStatusText: 'Enrolled',
    Course: compliance,
    Users: [maya],
    TimeStamp: '2026-11-20T14:03:11.1234567Z',
    ...extra,
  };
}

/** A flat course notification of `action` naming the compliance course. */
export function flatCourseNotification(action: string, extra: Record<string, unknown> = {}) {
  const { SiteId, WebId, Id, Title, Url, CourseType, Published } = compliance;
  return { Action: action, SiteId, WebId, Id, Title, Url, CourseType, Published, TimeStamp: '2026-11-20T09:30:00Z', ...extra };
}

/** A user notification of `action` about Maya. */
export function userNotification(action: string) {
  return {
    Action: action,
    UserId: maya.Id,
    LoginName: maya.LoginName,
    Email: maya.Email,
    Title: maya.Title,
    DirectoryObjectId: maya.DirectoryObjectId,
    IsDeleted: action === 'UserDeleted',
    UserFieldValues: [{ FieldId: 'f0e1d2c3-b4a5-4968-8776-655443322110', FieldTitle: 'Region', Value: 'EMEA' }],
    TimeStamp: '2026-11-20T08:00:00Z',
  };
}

/** The ASP.NET WebHooks body around `notifications`: work item 4f9e…, attempt 1. */
export function learn365Envelope(notifications: unknown[], overrides: Record<string, unknown> = {}) {
  return { Id: '4f9e8d7c6b5a49388271605f4e3d2c1b', Attempt: 1, Properties: { tenant: 'acme' }, Notifications: notifications, ...overrides };
}
