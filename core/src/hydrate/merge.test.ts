import { describe, expect, it } from 'vitest';
import { courseFrom, enrollmentFrom, leanEvent, learnerFrom } from '../testing/hydration-fixtures.ts';
import { mergeAnswers, type Answers } from './merge.ts';

/** What the fake LMS answers for u1 and `course`: every part found. */
const found = (course = 'c1'): Answers => ({ learner: learnerFrom('u1'), course: courseFrom(course), enrollment: enrollmentFrom(undefined) });

describe('mergeAnswers', () => {
  it('takes the LMS status when the payload had none', () => {
    const { event, needs } = leanEvent({ parts: { enrollment: { status: 'unknown' } } });
    const hydrated = mergeAnswers(event, needs, found());
    expect(hydrated.enrollment?.status).toBe('completed');
  });

  it('marks a learner the LMS does not know as missing', () => {
    const { event, needs } = leanEvent();
    const hydrated = mergeAnswers(event, needs, { ...found(), learner: null });
    expect(hydrated.hydration).toEqual({ status: 'partial', missing: ['learner'] });
    expect(hydrated.learner).toEqual(event.learner);
    expect(hydrated.course?.title).toBe('Course c1');
  });

  it('leaves a part the event type never carries empty', () => {
    const needs = { user: 'u1', course: { id: 'c1' } };
    const { event } = leanEvent({ type: 'user.created', needs });
    const hydrated = mergeAnswers(event, needs, { ...found(), enrollment: null });
    expect(hydrated.course).toBeNull();
    expect(hydrated.learner?.email).toBe('u1@example.com');
    expect(hydrated.hydration.status).toBe('complete');
  });

  it('fills a part the event may carry but did not', () => {
    const needs = { user: 'u1', course: { id: 'c9' } };
    const { event } = leanEvent({
      type: 'certificate.awarded',
      needs,
      parts: { course: undefined, data: { certificate: { id: null, title: null, awarded_at: null, expires_at: null } } },
    });
    expect(event.course).toBeNull();
    const hydrated = mergeAnswers(event, needs, { ...found('c9'), enrollment: null });
    expect(hydrated.course).toEqual({ ...courseFrom('c9'), id: 'c9' });
  });

  it('names only the parts the needs asked for as missing, whatever else the LMS left out', () => {
    const { event } = leanEvent({ needs: { user: 'u1' } });
    const hydrated = mergeAnswers(event, { user: 'u1' }, { learner: learnerFrom('u1'), course: null, enrollment: null });
    expect(hydrated.hydration).toEqual({ status: 'complete', missing: [] });
    expect(hydrated.learner?.id).toBe('u1');
  });
});
