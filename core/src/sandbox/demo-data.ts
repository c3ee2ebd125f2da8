import { z } from 'zod';
import { CourseKind, EnrollmentStatus } from '../catalog/index.ts';

/**
 * The sandbox LMS's organisation: one hand-editable JSON file (lowdb) that every emulated vendor
 * API reads and every emitted event refers to. Ids here are plain numbers; each vendor shows them
 * in its own id format (sandbox/vendor-ids.ts).
 */

const time = z.iso.datetime();

export const SandboxUser = z.object({
  id: z.number().int().positive(),
  username: z.string(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  department_id: z.number().int().nullable(),
  active: z.boolean(),
  created_at: time,
});

export const SandboxCourse = z.object({
  id: z.number().int().positive(),
  title: z.string(),
  kind: CourseKind,
  url: z.string(),
  published: z.boolean(),
  created_at: time,
});

export const SandboxEnrollment = z.object({
  id: z.number().int().positive(),
  user_id: z.number().int(),
  course_id: z.number().int(),
  status: EnrollmentStatus,
  progress: z.number().min(0).max(100),
  score: z.number().nullable(),
  enrolled_at: time,
  completed_at: time.nullable(),
});

export const SandboxData = z.object({
  organisation: z.object({ name: z.string() }),
  departments: z.array(z.object({ id: z.number().int().positive(), name: z.string() })),
  groups: z.array(z.object({ id: z.number().int().positive(), name: z.string() })),
  users: z.array(SandboxUser),
  courses: z.array(SandboxCourse),
  sessions: z.array(z.object({ id: z.number().int().positive(), course_id: z.number().int(), title: z.string(), starts_at: time })),
  enrollments: z.array(SandboxEnrollment),
  certificates: z.array(
    z.object({
      id: z.number().int().positive(),
      user_id: z.number().int(),
      course_id: z.number().int(),
      title: z.string(),
      awarded_at: time,
      expires_at: time.nullable(),
    }),
  ),
});

export type SandboxData = z.infer<typeof SandboxData>;
export type SandboxUser = z.infer<typeof SandboxUser>;
export type SandboxCourse = z.infer<typeof SandboxCourse>;
export type SandboxEnrollment = z.infer<typeof SandboxEnrollment>;

const FIRST = ['Maya', 'Liam', 'Ava', 'Noah', 'Sofia', 'Ethan', 'Zara', 'Lucas', 'Amara', 'Mateo', 'Priya', 'Jonas', 'Elena', 'Kenji', 'Fatima', 'Oliver'];
const LAST = ['Chen', 'Okafor', 'Schmidt', 'Garcia', 'Nguyen', 'Haddad', 'Kowalski', 'Silva', 'Tanaka', 'Moreau', 'Patel', 'Larsen', 'Rossi', 'Ibrahim'];
const DEPARTMENTS = ['Customer Success', 'Sales', 'Engineering', 'People & Culture', 'Finance', 'Operations'];
const COURSES: Array<[string, z.infer<typeof CourseKind>]> = [
  ['Compliance 101: Data Protection Essentials', 'online_course'],
  ['Information Security Awareness 2026', 'online_course'],
  ['Leading Difficult Conversations (Workshop)', 'instructor_led'],
  ['New Manager Curriculum', 'curriculum'],
  ['Sales Onboarding Bundle', 'bundle'],
  ['Customer Success Learning Path', 'learning_path'],
  ['Certified Product Specialist', 'certification'],
  ['Handling Objections', 'lesson'],
  ['Anti-Harassment Training', 'online_course'],
  ['Accessibility Basics', 'online_course'],
  ['Negotiation Skills Live Session', 'instructor_led'],
  ['Writing Clear Emails', 'lesson'],
];

/** A small deterministic organisation; `size` scales users and courses for load tests. */
export function demoData(options: { users?: number; courses?: number } = {}): SandboxData {
  const userCount = options.users ?? 40;
  const courseCount = options.courses ?? COURSES.length;
  const day = (n: number) => new Date(Date.UTC(2026, 9, 1) + n * 86_400_000).toISOString();
  const users = Array.from({ length: userCount }, (_, index): SandboxUser => {
    const first = FIRST[index % FIRST.length] ?? 'Alex';
    const last = LAST[Math.floor(index / FIRST.length) % LAST.length] ?? 'Doe';
    const suffix = index < FIRST.length * LAST.length ? '' : String(index);
    const username = `${first}.${last}${suffix}`.toLowerCase();
    return {
      id: 1001 + index,
      username,
      email: `${username}@acme-training.example`,
      first_name: first,
      last_name: last,
      department_id: 1 + (index % DEPARTMENTS.length),
      active: true,
      created_at: day(index % 30),
    };
  });
  const courses = Array.from({ length: courseCount }, (_, index): SandboxCourse => {
    const [title, kind] = COURSES[index % COURSES.length] ?? ['Course', 'online_course'];
    const name = index < COURSES.length ? title : `${title} (${Math.floor(index / COURSES.length) + 1})`;
    return {
      id: 501 + index,
      title: name,
      kind,
      url: `https://lms.acme-training.example/courses/${501 + index}`,
      published: true,
      created_at: day(index % 20),
    };
  });
  const enrollments = users.slice(0, Math.min(users.length, 200)).flatMap((user, index) =>
    [0, 1].map((offset): SandboxEnrollment => {
      const course = courses[(index + offset * 3) % courses.length];
      const done = (index + offset) % 3 === 0;
      return {
        id: 20_001 + index * 2 + offset,
        user_id: user.id,
        course_id: course?.id ?? 501,
        status: done ? 'completed' : 'in_progress',
        progress: done ? 100 : 20 + ((index * 7) % 70),
        score: done ? 70 + ((index * 11) % 31) : null,
        enrolled_at: day(index % 25),
        completed_at: done ? day((index % 25) + 3) : null,
      };
    }),
  );
  return {
    organisation: { name: 'Acme Training (sandbox)' },
    departments: DEPARTMENTS.map((name, index) => ({ id: index + 1, name })),
    groups: [
      { id: 1, name: 'New Hires — November' },
      { id: 2, name: 'People Managers' },
    ],
    users,
    courses,
    sessions: courses
      .filter((course) => course.kind === 'instructor_led')
      .map((course, index) => ({ id: 7001 + index, course_id: course.id, title: `${course.title} — Boston, Dec ${3 + index}`, starts_at: day(63 + index) })),
    enrollments,
    certificates: enrollments
      .filter((enrollment) => enrollment.status === 'completed')
      .slice(0, 20)
      .map((enrollment, index) => ({
        id: 9001 + index,
        user_id: enrollment.user_id,
        course_id: enrollment.course_id,
        title: `${courses.find((course) => course.id === enrollment.course_id)?.title ?? 'Course'} — Certificate`,
        awarded_at: enrollment.completed_at ?? day(0),
        expires_at: day(365),
      })),
  };
}
