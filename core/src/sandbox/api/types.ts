import type { Router } from 'express';
import type { SandboxData } from '../demo-data.ts';
import type { RegistrationBook } from './registrations.ts';

/**
 * One emulated vendor API, mounted by the sandbox server under its own prefix (/absorb, /alm,
 * /lessonly, /learn365). `data()` answers the current organisation (the lowdb file, which people
 * may edit while it runs). Rate limiting (429 + Retry-After) is applied by the server in front
 * of every router, per credential, at `rateLimit`.
 */
export interface EmulatedApi {
  prefix: string;
  /** The vendor's published limit the emulator enforces. */
  rateLimit: { capacity: number; perSecond: number };
  /** Who is calling, for the per-credential rate limit (an API key, a token); null = unauthenticated. */
  callerOf(headers: Readonly<Record<string, string | string[] | undefined>>): string | null;
  /**
   * `registrations` is where a vendor with a webhook registration API keeps what is registered,
   * for the sandbox's emitter to send to (issue 16 §5); the API makes its own when not given.
   */
  router(data: () => SandboxData, registrations?: RegistrationBook): Router;
  /**
   * The `api` settings a hub connection needs to reach this emulator at `baseUrl` (base URL and
   * credentials the emulator accepts), in the shape the vendor's hydration client's settingsSchema reads.
   */
  sandboxSettings(baseUrl: string): Record<string, unknown>;
  /**
   * Inbound settings the sandbox's own connection takes for this emulator's events, beside the
   * vendor's defaults (Canvas: sign, and check against the key set the emulator publishes at `baseUrl`).
   */
  sandboxInbound?(baseUrl: string): Record<string, unknown>;
}
