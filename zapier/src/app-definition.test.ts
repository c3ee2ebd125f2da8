import { CATALOG } from '@learnhook/core';
import { describe, expect, it } from 'vitest';
import * as zapierCore from 'zapier-platform-core';
import { z } from 'zod';
import app from './index.ts';
import { connectionList, courseList, findCourse, findUser } from './lookups.ts';
import { HOOK_TRIGGERS, hookTrigger, NEW_LMS_EVENT_KEY } from './triggers.ts';

/**
 * The local schema check `zapier-platform validate --without-style` runs, called in-process, and
 * what it does not catch (notes/zapier.md): type 'hook', samples and performList on every trigger.
 */
async function validateLocally(definition: object): Promise<unknown> {
  // createAppHandler exists at run time but not in zapier-platform-core's types.
  if (!('createAppHandler' in zapierCore) || typeof zapierCore.createAppHandler !== 'function') throw new Error('zapier-platform-core has no createAppHandler');
  const handler: unknown = zapierCore.createAppHandler(definition);
  if (typeof handler !== 'function') throw new Error('createAppHandler returned no handler');
  const answer: unknown = await handler({ command: 'validate' });
  return z.object({ results: z.array(z.unknown()) }).parse(answer).results;
}

describe('the app definition', () => {
  it("passes Zapier's schema validation", async () => {
    expect(await validateLocally(app)).toEqual([]);
  });

  it('has one REST-hook trigger per catalog type plus New LMS Event, and the hidden dropdown sources', () => {
    expect(HOOK_TRIGGERS.map((trigger) => trigger.key)).toEqual([...CATALOG.map((entry) => entry.type.replace(/\./g, '_')), NEW_LMS_EVENT_KEY]);
    expect(Object.keys(app.triggers).sort()).toEqual([...HOOK_TRIGGERS.map((trigger) => trigger.key), courseList.key, connectionList.key].sort());
    expect(Object.keys(app.searches).sort()).toEqual([findCourse.key, findUser.key]);
  });

  it('gives every visible trigger type hook, the four REST-hook functions, a sample and output fields', () => {
    for (const trigger of HOOK_TRIGGERS) {
      const { operation } = trigger;
      expect(operation.type).toBe('hook');
      for (const fn of [operation.performSubscribe, operation.performUnsubscribe, operation.perform, operation.performList]) expect(fn).toBeTypeOf('function');
      expect(operation.sample).toMatchObject({ id: expect.any(String), type: expect.any(String) });
      expect(operation.outputFields.length).toBeGreaterThan(0);
    }
  });

  it('uses the plain names a Zap builder looks for', () => {
    const labels = HOOK_TRIGGERS.map((trigger) => trigger.display.label);
    expect(labels).toEqual(
      expect.arrayContaining([
        'Course Completed',
        'Learner Enrolled',
        'Enrollment Removed',
        'Course Started',
        'Certificate Awarded',
        'New User',
        'Course Published',
        'New LMS Event',
      ]),
    );
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('offers the course filter only on triggers whose events are about a course', () => {
    const fieldKeys = (key: string) => hookTrigger(key).operation.inputFields.map((field) => field.key);
    expect(fieldKeys('enrollment_completed')).toEqual(['connection', 'course_id']);
    expect(fieldKeys('user_created')).toEqual(['connection']);
    expect(fieldKeys(NEW_LMS_EVENT_KEY)).toEqual(['event_type', 'connection', 'course_id']);
  });

  it('points dropdowns and their search at keys the app has', () => {
    const courseField = hookTrigger('enrollment_completed').operation.inputFields.find((field) => field.key === 'course_id');
    expect(courseField).toMatchObject({ dynamic: 'course_list.id.title', search: 'find_course.id' });
    expect(app.triggers).toHaveProperty('course_list');
    expect(app.triggers).toHaveProperty('connection_list');
    expect(app.searches).toHaveProperty('find_course');
  });

  it('lists every catalog type in the New LMS Event type dropdown, by its title', () => {
    const typeField = hookTrigger(NEW_LMS_EVENT_KEY).operation.inputFields.find((field) => field.key === 'event_type');
    expect(typeField?.choices).toEqual(CATALOG.map((entry) => ({ value: entry.type, label: entry.title, sample: entry.type })));
  });

  it('describes Find User and Find Course with the catalog labels and samples', () => {
    expect(findUser.operation.outputFields).toContainEqual({ key: 'email', label: 'Email', type: 'string' });
    expect(findUser.operation.sample).toMatchObject({ email: expect.stringContaining('@') });
    expect(findCourse.operation.outputFields).toContainEqual({ key: 'title', label: 'Title', type: 'string' });
  });
});
