import type { HydrationNeeds } from '../catalog/hydration-needs.ts';
import { type CatalogEvent, CatalogEventSchema, type Course, type Enrollment, type Hydration, type Learner } from '../catalog/index.ts';

/*
 * Merging: the vendor's payload says what was true when the event happened, the API what is true
 * when we ask, so the payload's non-null values are kept and the API fills what the payload left
 * null. The ids stay as the vendor sent them: subscribers filter and join on those.
 */

/** What the LMS answered for each part an event's needs name: null where it has no such thing or could not say in time. */
export interface Answers {
  learner: Learner | null;
  course: Course | null;
  enrollment: Enrollment | null;
}

function mergeLearner(sent: Learner | null, fetched: Learner, id: string): Learner {
  const first_name = sent?.first_name ?? fetched.first_name;
  const last_name = sent?.last_name ?? fetched.last_name;
  return {
    id: sent?.id ?? id,
    email: sent?.email ?? fetched.email,
    username: sent?.username ?? fetched.username,
    first_name,
    last_name,
    name: sent?.name ?? fetched.name ?? ([first_name, last_name].filter(Boolean).join(' ') || null),
    department: sent?.department ?? fetched.department,
  };
}

function mergeCourse(sent: Course | null, fetched: Course, id: string): Course {
  return {
    id: sent?.id ?? id,
    title: sent?.title ?? fetched.title,
    kind: sent?.kind ?? fetched.kind,
    url: sent?.url ?? fetched.url,
  };
}

function mergeEnrollment(sent: Enrollment | null, fetched: Enrollment): Enrollment {
  return {
    id: sent?.id ?? fetched.id,
    // "unknown" is what an adapter writes when the payload had no status: the API's is better.
    status: sent && sent.status !== 'unknown' ? sent.status : fetched.status,
    progress: sent?.progress ?? fetched.progress,
    score: sent?.score ?? fetched.score,
    passed: sent?.passed ?? fetched.passed,
    enrolled_at: sent?.enrolled_at ?? fetched.enrolled_at,
    completed_at: sent?.completed_at ?? fetched.completed_at,
  };
}

interface Filled {
  learner?: Learner;
  course?: Course;
  enrollment?: Enrollment;
}

/**
 * Puts the filled parts into the event. The catalog schema decides whether the event's type
 * carries a part at all (a part it never carries stays null), which is also what turns the
 * result back into a typed CatalogEvent.
 */
function place(event: CatalogEvent, filled: Filled, hydration: Hydration): CatalogEvent {
  const onlySent: Filled = {
    learner: event.learner ? filled.learner : undefined,
    course: event.course ? filled.course : undefined,
    enrollment: event.enrollment ? filled.enrollment : undefined,
  };
  for (const parts of [filled, onlySent]) {
    const candidate: Record<string, unknown> = { ...event, hydration };
    if (parts.learner) candidate.learner = parts.learner;
    if (parts.course) candidate.course = parts.course;
    if (parts.enrollment) candidate.enrollment = parts.enrollment;
    const parsed = CatalogEventSchema.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  return { ...event, hydration };
}

/**
 * The event with the LMS's answers merged in, and its hydration saying which of the parts its
 * needs named could not be filled (status "partial" when any).
 */
export function mergeAnswers(event: CatalogEvent, needs: HydrationNeeds, answers: Answers): CatalogEvent {
  const filled: Filled = {};
  const missing: string[] = [];
  if (needs.user !== undefined) {
    if (answers.learner) filled.learner = mergeLearner(event.learner, answers.learner, needs.user);
    else missing.push('learner');
  }
  if (needs.course !== undefined) {
    if (answers.course) filled.course = mergeCourse(event.course, answers.course, needs.course.id);
    else missing.push('course');
  }
  if (needs.enrollment !== undefined) {
    if (answers.enrollment) filled.enrollment = mergeEnrollment(event.enrollment, answers.enrollment);
    else missing.push('enrollment');
  }
  return place(event, filled, { status: missing.length ? 'partial' : 'complete', missing });
}
