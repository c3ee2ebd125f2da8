import { z } from 'zod';
import { secret } from '../../secret-fields.ts';
import type { BasicCredentials } from '../../signatures/basic-auth.ts';
import { eventTypesOf, type VendorAdapter } from '../adapter.ts';
import { acknowledgeStatements, parseStatements, type ReceivedStatement, verifyStatementCredentials } from './lrs.ts';
import { statementToCatalog, VERB_MAPPINGS } from './mapping.ts';

/**
 * An xAPI 1.0.3 Learning Record Store as a second route of a webhook adapter (seismic-learning,
 * standard): xapi-lrs.ts reads and answers `POST /statements`, xapi-mapping.ts maps each statement
 * to the catalog. Not an adapter itself.
 */

/** The connection's LRS Basic credentials, in the inbound settings of an adapter with the xAPI route. */
export const XapiCredentials = z
  .object({
    username: z.string().min(1).meta({ title: 'LRS Username' }),
    password: secret(z.string().min(1)).meta({ title: 'LRS Password' }),
  })
  .optional()
  .meta({ title: 'xAPI (LRS) Basic Credentials' });

/** A statement from the xapi-statements route, as an adapter with that route carries it among its events. */
export interface StatementEvent {
  kind: 'statement';
  statement: ReceivedStatement;
}

/**
 * Gives a webhook adapter the xapi-statements route as well: an LRS endpoint behind the
 * connection's `xapi` Basic credentials, whose statements map by VERB_MAPPINGS and are answered with
 * their ids. The webhook route stays the adapter's own.
 */
export function withXapiRoute<Event extends { kind: string }, Inbound extends { xapi?: BasicCredentials | undefined }>(
  webhook: VendorAdapter<Event, Inbound>,
): VendorAdapter<Event | StatementEvent, Inbound> {
  const isStatement = (event: Event | StatementEvent): event is StatementEvent => event.kind === 'statement';
  return {
    ...webhook,
    routes: [...webhook.routes, 'xapi-statements'],
    events: { ...webhook.events, ...eventTypesOf(VERB_MAPPINGS) },
    verify(request, inbound) {
      if (request.route === 'xapi-statements') return verifyStatementCredentials(request, inbound.xapi);
      webhook.verify(request, inbound);
    },
    parse(request) {
      if (request.route === 'xapi-statements') return parseStatements(request).map((statement): StatementEvent => ({ kind: 'statement', statement }));
      return webhook.parse(request);
    },
    toCatalog(event, context) {
      if (isStatement(event)) return [statementToCatalog(event.statement, webhook.vendor, context)];
      return webhook.toCatalog(event, context);
    },
    acknowledge(events, request) {
      if (request.route === 'xapi-statements') {
        return acknowledgeStatements(
          events.flatMap((event) => (isStatement(event) ? [event.statement] : [])),
          { method: request.method },
        );
      }
      // Elsewhere the webhook's own answer, or the hub's default.
      return (
        webhook.acknowledge?.(
          events.filter((event): event is Event => !isStatement(event)),
          request,
        ) ?? null
      );
    },
  };
}
