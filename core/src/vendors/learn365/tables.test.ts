import { describe, expect, it } from 'vitest';
import { lookupName } from '../names.ts';
import { LEARN365_COURSE_KINDS, LEARN365_COURSE_TYPES } from './tables.ts';

describe('learn365 course types', () => {
  it('reads back every CourseType written for a catalog kind as a kind', () => {
    for (const type of Object.values(LEARN365_COURSE_TYPES)) expect(lookupName(LEARN365_COURSE_KINDS, type)).not.toBeNull();
  });
});
