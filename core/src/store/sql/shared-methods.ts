import type { Store } from '../store.ts';
import { createAccountStore } from './accounts.ts';
import { type ActivityReads, activityReads } from './activity.ts';
import { type ApiKeyMethods, apiKeyMethods } from './api-keys.ts';
import { type AuditMethods, auditMethods } from './audit.ts';
import { type ConnectionMethods, connectionMethods } from './connections.ts';
import { type DeliveryMethods, deliveryMethods } from './deliveries.ts';
import { type EventReads, eventReads } from './events.ts';
import { type HookMethods, hookMethods } from './hooks.ts';
import type { SqlRunner } from './runner.ts';
import { type SealedSecretMethods, sealedSecretMethods } from './sealed-secrets.ts';

export type SharedMethods = ActivityReads &
  ApiKeyMethods &
  AuditMethods &
  ConnectionMethods &
  HookMethods &
  EventReads &
  DeliveryMethods &
  SealedSecretMethods &
  Pick<Store, 'accounts'>;

/** Every Store method written once in sql/, run on one store's runner: each store spreads this and adds what differs. */
export function sharedMethods(runner: SqlRunner): SharedMethods {
  return {
    ...activityReads(runner),
    ...apiKeyMethods(runner),
    ...auditMethods(runner),
    ...connectionMethods(runner),
    ...hookMethods(runner),
    ...eventReads(runner),
    ...deliveryMethods(runner),
    ...sealedSecretMethods(runner),
    accounts: createAccountStore(runner),
  };
}
