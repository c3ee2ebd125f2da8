import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../catalog/index.ts';
import { VENDOR_REGISTRY } from './registry.ts';

/** DESIGN §2's "from (vendor event)" column: every named vendor event has a mapping to its type. */
const DESIGN_EVENTS: Array<[keyof typeof VENDOR_REGISTRY, string, string]> = [
  ['absorb', 'User Created', 'user.created'],
  ['absorb', 'Enrollment Completed by Learner', 'enrollment.completed'],
  ['absorb', 'Enrollment Completed by Admin', 'enrollment.completed'],
  ['absorb', 'Learning Path Completed', 'enrollment.completed'],
  ['absorb', 'Session Enrollment Completed', 'session.enrolled'],
  ['absorb', 'Online Course Added', 'course.created'],
  ['absorb', 'Curriculum Activated', 'course.published'],
  ['absorb', 'Course Bundle Deactivated', 'course.unpublished'],
  ['absorb', 'Certificate Awarded', 'certificate.awarded'],
  ['absorb', 'Competency Awarded', 'competency.awarded'],
  ['absorb', 'Course Credits Awarded', 'credits.awarded'],
  ['absorb', 'Self-Assessment Completed', 'assessment.completed'],
  ['absorb', 'Group Created', 'group.created'],
  ['absorb', 'Department Deleted', 'department.deleted'],
  ['learn365', 'UserCreated', 'user.created'],
  ['learn365', 'UserDeleted', 'user.deactivated'],
  ['learn365', 'CourseEnrollment', 'enrollment.created'],
  ['learn365', 'CourseUnenrollment', 'enrollment.removed'],
  ['learn365', 'EnrollmentApprovalRequest', 'enrollment.approval_requested'],
  ['learn365', 'CourseStarted', 'enrollment.started'],
  ['learn365', 'CourseCompleted', 'enrollment.completed'],
  ['learn365', 'CourseCreated', 'course.created'],
  ['learn365', 'CoursePublished', 'course.published'],
  ['learn365', 'CourseUnpublished', 'course.unpublished'],
  ['learn365', 'CourseDeleted', 'course.deleted'],
  ['adobe-alm', 'COURSE_ENROLLMENT', 'enrollment.created'],
  ['adobe-alm', 'LEARNING_PATH_ENROLLMENT_BATCH', 'enrollment.created'],
  ['adobe-alm', 'CERTIFICATION_UNENROLLMENT', 'enrollment.removed'],
  ['adobe-alm', 'COURSE_COMPLETED', 'enrollment.completed'],
  ['adobe-alm', 'CERTIFICATION_COMPLETED_BATCH', 'enrollment.completed'],
  ['adobe-alm', 'LEARNER_PROGRESS', 'enrollment.progressed'],
  ['adobe-alm', 'LEARNING_OBJECT_DRAFT', 'course.created'],
  ['adobe-alm', 'LEARNING_OBJECT_DELETION', 'course.deleted'],
  ['seismic-learning', 'user-created', 'user.created'],
  ['seismic-learning', 'user-updated', 'user.updated'],
  ['seismic-learning', 'user-archived', 'user.deactivated'],
  ['seismic-learning', 'user-restored', 'user.reactivated'],
  ['seismic-learning', 'lesson-completed', 'enrollment.completed'],
  ['seismic-learning', 'http://adlnet.gov/expapi/verbs/completed', 'enrollment.completed'],
  ['seismic-learning', 'http://adlnet.gov/expapi/verbs/attended', 'session.attended'],
  ['seismic-learning', 'http://id.tincanapi.com/verb/viewed', 'activity.viewed'],
  ['seismic-learning', 'http://activitystrea.ms/schema/1.0/like', 'activity.liked'],
  ['seismic-learning', 'http://activitystrea.ms/schema/1.0/dislike', 'activity.disliked'],
  ['seismic-learning', 'http://adlnet.gov/expapi/verbs/answered', 'question.answered'],
  ['seismic-learning', 'http://id.tincanapi.com/verb/skipped', 'question.skipped'],
  ['seismic-learning', 'http://id.tincanapi.com/verb/searched', 'search.performed'],
  ['standard', 'certificate.awarded', 'certificate.awarded'],
];

describe('the vendor registry', () => {
  it.each(DESIGN_EVENTS)('maps %s "%s" to %s', (vendor, name, type) => {
    expect(VENDOR_REGISTRY[vendor].inbound.events[name]).toBe(type);
  });

  it('maps every known vendor event to a catalog type', () => {
    for (const { inbound } of Object.values(VENDOR_REGISTRY)) {
      for (const type of Object.values(inbound.events)) expect(EVENT_TYPES).toContain(type);
    }
  });

  it("registers each vendor's adapter and API client under its own vendor id", () => {
    for (const [vendor, { inbound, api }] of Object.entries(VENDOR_REGISTRY)) {
      expect(inbound.vendor).toBe(vendor);
      if (api) expect(api.vendor).toBe(vendor);
    }
  });
});
