import { describe, expect, it } from 'vitest';
import { COURSE_KINDS } from '../catalog/index.ts';
import { demoData, SandboxData } from './demo-data.ts';

describe('the sandbox demo organisation', () => {
  it('is valid data with courses of every kind and enrollments that point at real users and courses', () => {
    const data = SandboxData.parse(demoData());
    expect(new Set(data.courses.map((course) => course.kind))).toEqual(new Set(COURSE_KINDS));
    const users = new Set(data.users.map((user) => user.id));
    const courses = new Set(data.courses.map((course) => course.id));
    for (const enrollment of data.enrollments) {
      expect(users.has(enrollment.user_id)).toBe(true);
      expect(courses.has(enrollment.course_id)).toBe(true);
    }
    expect(data.certificates.length).toBeGreaterThan(0);
  });

  it('scales to load-test sizes with unique ids and emails', () => {
    const data = demoData({ users: 10_000, courses: 500 });
    expect(new Set(data.users.map((user) => user.email)).size).toBe(10_000);
    expect(new Set(data.courses.map((course) => course.id)).size).toBe(500);
  });

  it('is the same every time, so tests and docs can name its people', () => {
    expect(demoData().users[0]).toEqual(demoData().users[0]);
    expect(demoData().users[0]?.email).toBe('maya.chen@acme-training.example');
  });
});
