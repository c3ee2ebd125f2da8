import type { z } from 'zod';
import type { Course, CourseKind, Enrollment, Learner, Vendor } from '../catalog/index.ts';

/**
 * One LMS's API as hydration sees it (DESIGN §4 Hydration): each vendor module turns its own
 * API's answers into catalog parts. `null` means the LMS says there is no such thing (404);
 * anything that may work later throws LmsApiError.
 */
export interface LmsApiClient {
  user(id: string): Promise<Learner | null>;
  course(id: string, kind?: CourseKind): Promise<Course | null>;
  enrollment(ref: { user: string; course: string; id?: string | undefined }): Promise<Enrollment | null>;
  /** For dropdowns and searches: courses whose title (or id) contains `q`. */
  searchCourses(q: string | undefined, limit: number): Promise<Course[]>;
  /** Users whose name, email or username contains `q`. */
  searchUsers(q: string | undefined, limit: number): Promise<Learner[]>;
  /**
   * One page of every user the LMS lists, for warming the cache (warm-up.ts): each item exactly
   * what `user(item.id)` answers. `cursor` is null for the first page; the answer's `next` is null
   * after the last. One HTTP request per call, since each call takes one token of the rate limit.
   * Absent where the LMS's list is too costly to read whole.
   */
  listUsers?(cursor: string | null): Promise<ListPage<Learner>>;
  /**
   * One page of every course, as `listUsers`. Offered only where `course(id, kind)` answers alike
   * whatever the kind, so one warmed entry stands for the course under every kind an event names.
   */
  listCourses?(cursor: string | null): Promise<ListPage<Course>>;
}

/** A page of a list endpoint, and where the next page starts (null: this was the last). */
export interface ListPage<T> {
  items: T[];
  next: string | null;
}

/** The LMS did not answer usefully this time: rate limited, down, slow. Worth retrying later. */
export class LmsApiError extends Error {
  readonly status: number | null;
  /** What the LMS asked for (Retry-After), in milliseconds; null when it did not say. */
  readonly retryAfterMs: number | null;
  /** False when trying again soon is pointless whatever the status says (an open circuit breaker). */
  readonly retryable: boolean;

  constructor(message: string, options: { status?: number | null; retryAfterMs?: number | null; retryable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'LmsApiError';
    this.status = options.status ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.retryable = options.retryable ?? true;
  }
}

/** The small HTTP surface the clients use, so tests and the sandbox can point them anywhere. */
export interface LmsHttp {
  /**
   * Sends a request and answers the parsed JSON body; null on 404. Throws LmsApiError on 429
   * (with Retry-After), 5xx, timeouts and network errors, and on other 4xx (not retryable: status set).
   */
  json(request: { method?: 'GET' | 'POST'; url: string; headers?: Record<string, string>; body?: string; timeoutMs?: number }): Promise<unknown>;
}

/** What a vendor module gives the hydrator: its settings schema, its published rate limit and a client factory. */
export interface VendorApi<Settings = unknown> {
  vendor: Vendor;
  /** The connection's `api` settings for this vendor (base URL, credentials), validated on create. */
  settingsSchema: z.ZodType<Settings>;
  /** Stay under the LMS's published limit: a burst of `capacity`, refilled at `perSecond`. */
  rateLimit: { capacity: number; perSecond: number };
  createClient(settings: Settings, http: LmsHttp): LmsApiClient;
}
