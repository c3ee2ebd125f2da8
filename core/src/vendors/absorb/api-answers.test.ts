/*
 * Sources (facts only, nothing copied): Absorb "Integration API" v2 documentation at
 * docs.myabsorb.com — "Users" (id, username, firstName, lastName, emailAddress, departmentId),
 * "Courses" (name, courseType: OnlineCourse, InstructorLedCourse, CourseBundle, Curriculum),
 * "Enrollments" (status 0 NotStarted … 12 ReadyForReview, progress, score, dateAdded,
 * dateCompleted), "Pagination" ({totalItems, returnedItems, limit, offset, <collection>}).
 * The answers here are written by hand; absorb.test.ts reads them from the emulated API.
 */
import { describe, expect, it } from 'vitest';
import { Course, Enrollment, Learner } from '../../catalog/index.ts';
import { AbsorbCourse, AbsorbEnrollment, AbsorbUser, page, toCourse, toEnrollment, toLearner } from './api-answers.ts';

const USER = '8a1c6f7e-2b3d-4e5f-9a0b-1c2d3e4f5a6b';
const COURSE = 'c0ffee00-1111-4222-8333-444455556666';
const ENROLLMENT = 'e0e0e0e0-aaaa-4bbb-8ccc-dddddddddddd';

const enrollment = (fields: Record<string, unknown>) => toEnrollment(AbsorbEnrollment.parse({ id: ENROLLMENT, ...fields }));

describe("reading Absorb's answers", () => {
  it('reads a user as a catalog learner, blanks as null and the name from its parts', () => {
    const user = AbsorbUser.parse({
      id: USER,
      username: 'maya.chen',
      firstName: ' Maya ',
      middleName: 'J',
      lastName: 'Chen',
      emailAddress: '',
      departmentId: null,
    });
    const learner = Learner.parse(toLearner(user, 'Customer Success'));
    expect(learner).toEqual({
      id: USER,
      email: null,
      username: 'maya.chen',
      first_name: 'Maya',
      last_name: 'Chen',
      name: 'Maya Chen',
      department: 'Customer Success',
    });
    expect(toLearner(AbsorbUser.parse({ id: USER }), null).name).toBeNull();
  });

  it('reads PascalCase answers (v1 and some .NET serialisers) as camelCase ones', () => {
    const camel = AbsorbUser.parse({ id: USER, firstName: 'Maya', lastName: 'Chen', emailAddress: 'maya@example.com' });
    const pascal = AbsorbUser.parse({ Id: USER, FirstName: 'Maya', LastName: 'Chen', EmailAddress: 'maya@example.com' });
    expect(toLearner(pascal, null)).toEqual(toLearner(camel, null));
    expect(page('users', AbsorbUser).parse({ TotalItems: 1, Users: [{ Id: USER }] })).toMatchObject({ users: [{ id: USER }] });
  });

  it("reads a course's kind from its course type however it is written, and gives no link", () => {
    const kindOf = (courseType: unknown) => toCourse(AbsorbCourse.parse({ id: COURSE, name: 'Safety', courseType })).kind;
    expect(kindOf('OnlineCourse')).toBe('online_course');
    expect(kindOf('Instructor Led Course')).toBe('instructor_led');
    expect(kindOf('CURRICULUM')).toBe('curriculum');
    expect(kindOf('CourseBundle')).toBe('bundle');
    expect(kindOf('Webinar')).toBeNull();
    expect(kindOf(null)).toBeNull();
    expect(Course.parse(toCourse(AbsorbCourse.parse({ id: COURSE, name: ' Safety ' })))).toEqual({ id: COURSE, title: 'Safety', kind: null, url: null });
  });

  it('reads status codes by number and by name', () => {
    expect(enrollment({ status: 0 }).status).toBe('not_started');
    expect(enrollment({ status: 'InProgress' }).status).toBe('in_progress');
    expect(enrollment({ status: 2 }).status).toBe('pending_approval');
    expect(enrollment({ status: '4' }).status).toBe('not_completed');
    expect(enrollment({ status: 'Declined' }).status).toBe('declined');
    expect(enrollment({ status: 8 }).status).toBe('waitlisted');
    expect(enrollment({ status: 'OnWaitlist' }).status).toBe('waitlisted');
    expect(enrollment({ status: 9 }).status).toBe('absent');
  });

  it('takes work handed in but not yet judged as in progress', () => {
    for (const status of [7, 11, 12, 'PendingEvaluationRequired', 'PendingProctor', 'ReadyForReview']) {
      expect(enrollment({ status }).status).toBe('in_progress');
    }
  });

  it('answers unknown for NotApplicable, a code it does not know, or none', () => {
    for (const status of [10, 'NotApplicable', 99, 'Mystery', null, undefined]) expect(enrollment({ status }).status).toBe('unknown');
  });

  it('reads a completion as passed at 100 %, a failure as not passed, and anything else as not judged', () => {
    const done = Enrollment.parse(enrollment({ status: 3, score: 88, dateAdded: '2025-03-01T09:00:00', dateCompleted: '2025-03-04T10:00:00.000Z' }));
    expect(done).toEqual({
      id: ENROLLMENT,
      status: 'completed',
      progress: 100,
      score: 88,
      passed: true,
      enrolled_at: '2025-03-01T09:00:00.000Z',
      completed_at: '2025-03-04T10:00:00.000Z',
    });
    expect(enrollment({ status: 'Failed', progress: 100 })).toMatchObject({ passed: false, progress: 100 });
    expect(enrollment({ status: 1 })).toMatchObject({ passed: null, progress: null, score: null, enrolled_at: null, completed_at: null });
  });

  it('keeps progress between 0 and 100', () => {
    expect(enrollment({ status: 1, progress: 140 }).progress).toBe(100);
    expect(enrollment({ status: 1, progress: -5 }).progress).toBe(0);
    expect(enrollment({ status: 1, progress: 42.5 }).progress).toBe(42.5);
  });

  it('refuses an answer without an id', () => {
    expect(AbsorbUser.safeParse({ firstName: 'Maya' }).success).toBe(false);
    expect(AbsorbEnrollment.safeParse({ id: '' }).success).toBe(false);
  });
});
