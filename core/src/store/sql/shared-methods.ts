import type { Store } from '../store.ts';
import { createAccountStore } from './accounts.ts';
import { apiKeyMethods, type ApiKeyMethods } from './api-keys.ts';
import { auditMethods, type AuditMethods } from './audit.ts';
import { connectionMethods, type ConnectionMethods } from './connections.ts';
import { deliveryMethods, type DeliveryMethods } from './deliveries.ts';
import { eventReads, type EventReads } from './events.ts';
import { hookMethods, type HookMethods } from './hooks.ts';
import type { SqlRunner } from './runner.ts';

export type SharedMethods = ApiKeyMethods & AuditMethods & ConnectionMethods & HookMethods & EventReads & DeliveryMethods & Pick<Store, 'accounts'>;

/** Every Store method written once in sql/, run on one store's runner: each store spreads this and adds what differs. */
export function sharedMethods(runner: SqlRunner): SharedMethods {
  return {
    ...apiKeyMethods(runner),
    ...auditMethods(runner),
    ...connectionMethods(runner),
    ...hookMethods(runner),
    ...eventReads(runner),
    ...deliveryMethods(runner),
    accounts: createAccountStore(runner),
  };
}
