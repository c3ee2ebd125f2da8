import type { CourseKind } from './parts.ts';

/** What the hydrator must look up in the LMS's API to fill the event in (DESIGN §4 Hydration). */
export interface HydrationNeeds {
  /** A user id whose profile fills `learner`. */
  user?: string;
  /** A course (learning object) id whose details fill `course`. */
  course?: { id: string; kind?: CourseKind };
  /** An enrollment to fetch for status, progress, score and dates. */
  enrollment?: { user: string; course: string; id?: string };
}
