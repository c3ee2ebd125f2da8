import { describe, expect, it } from 'vitest';
import { SAMPLES } from '../catalog/index.ts';
import { hookWants } from './match.ts';

const completed = SAMPLES['enrollment.completed'];
const userCreated = SAMPLES['user.created'];

describe('matching an event to a subscription', () => {
  it('matches listed types and "*", nothing else', () => {
    expect(hookWants({ events: ['enrollment.completed'], filter: {} }, completed)).toBe(true);
    expect(hookWants({ events: ['*'], filter: {} }, userCreated)).toBe(true);
    expect(hookWants({ events: ['enrollment.completed'], filter: {} }, userCreated)).toBe(false);
  });

  it('keeps only events about a filtered course, and drops events about no course', () => {
    expect(hookWants({ events: ['*'], filter: { course_id: [completed.course.id] } }, completed)).toBe(true);
    expect(hookWants({ events: ['*'], filter: { course_id: ['other'] } }, completed)).toBe(false);
    expect(hookWants({ events: ['*'], filter: { course_id: [completed.course.id] } }, userCreated)).toBe(false);
  });

  it('keeps only events from a filtered connection', () => {
    expect(hookWants({ events: ['*'], filter: { connection: ['acme'] } }, completed)).toBe(true);
    expect(hookWants({ events: ['*'], filter: { connection: ['globex'] } }, completed)).toBe(false);
  });

  it('treats empty filter lists as no filter', () => {
    expect(hookWants({ events: ['*'], filter: { course_id: [], connection: [] } }, userCreated)).toBe(true);
  });
});
