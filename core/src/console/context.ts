import type { HubContext } from '../http/context.ts';
import type { LiveStreams } from './live-streams.ts';
import type { Sessions } from './session.ts';

/** What console pages get: the same hub context (store, validation, audit) the API routes use, the sessions and the live streams. */
export interface ConsoleContext extends HubContext {
  sessions: Sessions;
  streams: LiveStreams;
}
