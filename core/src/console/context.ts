import type { HubContext } from '../http/context.ts';
import type { Sessions } from './session.ts';

/** What console pages get: the same hub context (store, validation, audit) the API routes use, and the sessions. */
export interface ConsoleContext extends HubContext {
  sessions: Sessions;
}
