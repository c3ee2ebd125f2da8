/*
 * The behaviour asked for is DESIGN §4 Hydration: one lookup per thing for a burst of events,
 * warmed values never at the expense of looked-up ones. Time is a variable.
 */
import { describe, expect, it, vi } from 'vitest';
import { courseFrom, down, enrollmentFrom, learnerFrom } from '../testing/hydration-fixtures.ts';
import { createPartCache, freshParts, type PartCacheOptions } from './part-cache.ts';

function partCache(options: Partial<PartCacheOptions> = {}) {
  return createPartCache({ ttlMs: 60_000, maxEntries: 100, warmMaxEntries: 100, now: () => 0, ...options });
}

describe('the part cache', () => {
  it('loads a part once for every concurrent ask, counting the others as hits', async () => {
    const parts = partCache();
    const load = vi.fn(async () => learnerFrom('u1'));
    const answers = await Promise.all(Array.from({ length: 5 }, () => parts.learner('conn_1', 'u1', false, load)));
    expect(answers).toEqual(Array.from({ length: 5 }, () => learnerFrom('u1')));
    expect(load).toHaveBeenCalledTimes(1);
    expect(parts.hits).toBe(4);
  });

  it('answers from memory until the TTL runs out', async () => {
    let time = 0;
    const parts = partCache({ now: () => time });
    const load = vi.fn(async () => courseFrom('c1'));
    await parts.course('conn_1', { id: 'c1' }, false, false, load);
    time = 59_999;
    await parts.course('conn_1', { id: 'c1' }, false, false, load);
    time = 60_000;
    await parts.course('conn_1', { id: 'c1' }, false, false, load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('reads a part again when asked fresh, and keeps the new answer', async () => {
    const parts = partCache();
    let nth = 0;
    const load = vi.fn(async () => ({ ...learnerFrom('u1'), department: `Team ${++nth}` }));
    await parts.learner('conn_1', 'u1', false, load);
    expect((await parts.learner('conn_1', 'u1', true, load))?.department).toBe('Team 2');
    expect((await parts.learner('conn_1', 'u1', false, load))?.department).toBe('Team 2');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps connections, kinds and enrollments apart', async () => {
    const parts = partCache();
    const learner = vi.fn(async () => learnerFrom('u1'));
    await parts.learner('conn_1', 'u1', false, learner);
    await parts.learner('conn_2', 'u1', false, learner);
    expect(learner).toHaveBeenCalledTimes(2);

    const course = vi.fn(async () => courseFrom('c1'));
    await parts.course('conn_1', { id: 'c1', kind: 'online_course' }, false, false, course);
    await parts.course('conn_1', { id: 'c1', kind: 'curriculum' }, false, false, course);
    expect(course).toHaveBeenCalledTimes(2);

    const enrollment = vi.fn(async () => enrollmentFrom(undefined));
    await parts.enrollment('conn_1', { user: 'u1', course: 'c1' }, false, enrollment);
    await parts.enrollment('conn_1', { user: 'u1', course: 'c1', id: 'e2' }, false, enrollment);
    await parts.enrollment('conn_1', { user: 'u2', course: 'c1' }, false, enrollment);
    await parts.enrollment('conn_1', { user: 'u1', course: 'c1' }, false, enrollment);
    expect(enrollment).toHaveBeenCalledTimes(3);
  });

  it('answers a course under every kind from one entry when the client answers any kind alike', async () => {
    const parts = partCache();
    const load = vi.fn(async () => courseFrom('c1'));
    await parts.course('conn_1', { id: 'c1', kind: 'online_course' }, true, false, load);
    await parts.course('conn_1', { id: 'c1', kind: 'curriculum' }, true, false, load);
    await parts.course('conn_1', { id: 'c1' }, true, false, load);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('answers warmed learners and courses without a load, as hits', async () => {
    const parts = partCache();
    expect(parts.keepLearner('conn_1', learnerFrom('u1'))).toBe(true);
    expect(parts.keepCourse('conn_1', courseFrom('c1'))).toBe(true);
    const load = vi.fn(async () => null);
    expect(await parts.learner('conn_1', learnerFrom('u1').id, false, load)).toEqual(learnerFrom('u1'));
    expect(await parts.course('conn_1', { id: courseFrom('c1').id, kind: 'curriculum' }, true, false, load)).toEqual(courseFrom('c1'));
    expect(load).not.toHaveBeenCalled();
    expect(parts.hits).toBe(2);
  });

  it('warms only while as many places as maxEntries stay free, so lookups after it evict nothing', async () => {
    const parts = partCache({ maxEntries: 2, warmMaxEntries: 2 });
    expect(parts.keepLearner('conn_1', learnerFrom('w1'))).toBe(true);
    expect(parts.keepLearner('conn_1', learnerFrom('w2'))).toBe(true);
    expect(parts.keepLearner('conn_1', learnerFrom('w3'))).toBe(false);
    await parts.learner('conn_1', 'u1', false, async () => learnerFrom('u1'));
    await parts.learner('conn_1', 'u2', false, async () => learnerFrom('u2'));
    const load = vi.fn(async () => null);
    for (const id of [learnerFrom('w1').id, learnerFrom('w2').id, 'u1', 'u2']) await parts.learner('conn_1', id, false, load);
    expect(load).not.toHaveBeenCalled();
  });

  it('answers null for a failed load, logs it once for all its waiters, and does not keep it', async () => {
    const warn = vi.fn();
    const parts = partCache({ logger: { warn } });
    const failing = vi.fn(down);
    const answers = await Promise.all([parts.learner('conn_1', 'u1', false, failing), parts.learner('conn_1', 'u1', false, failing)]);
    expect(answers).toEqual([null, null]);
    expect(failing).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatchObject({ connection_id: 'conn_1', kind: 'user' });
    expect(await parts.learner('conn_1', 'u1', false, async () => learnerFrom('u1'))).toEqual(learnerFrom('u1'));
  });

  it('keeps the LMS saying there is no such thing, like any answer', async () => {
    const parts = partCache();
    const load = vi.fn(async () => null);
    expect(await parts.enrollment('conn_1', { user: 'u1', course: 'c1' }, false, load)).toBeNull();
    expect(await parts.enrollment('conn_1', { user: 'u1', course: 'c1' }, false, load)).toBeNull();
    expect(load).toHaveBeenCalledTimes(1);
  });
});

describe('which parts an event reads fresh', () => {
  it('reads fresh the part the event is about', () => {
    expect(freshParts('user.updated')).toEqual({ learner: true, course: false, enrollment: false });
    expect(freshParts('course.published')).toEqual({ learner: false, course: true, enrollment: false });
    expect(freshParts('enrollment.completed')).toEqual({ learner: false, course: false, enrollment: true });
    expect(freshParts('session.attended')).toEqual({ learner: false, course: false, enrollment: true });
  });

  it('reads every part fresh for an event of unknown meaning', () => {
    expect(freshParts('lms.event')).toEqual({ learner: true, course: true, enrollment: true });
  });
});
