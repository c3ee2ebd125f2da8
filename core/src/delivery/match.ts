import type { CatalogEvent } from '../catalog/index.ts';
import type { HookRecord } from '../store/store.ts';

/**
 * Whether a subscription wants an event (DESIGN §4 Filters): its event types (or "*"), and the
 * optional course and connection filters. A filter on a course only matches events about a course.
 */
export function hookWants(hook: Pick<HookRecord, 'events' | 'filter'>, event: CatalogEvent): boolean {
  if (!hook.events.includes('*') && !hook.events.includes(event.type)) return false;
  const courses = hook.filter.course_id;
  if (courses?.length && !(event.course && courses.includes(event.course.id))) return false;
  const connections = hook.filter.connection;
  if (connections?.length && !connections.includes(event.source.connection)) return false;
  return true;
}
