/**
 * The webhook registrations an emulated LMS holds (issue 16 §5): made through its registration
 * API (vendors/<vendor>/sandbox-api.ts), read by the sandbox's emitter, which sends the LMS's
 * events to every registration whose events match, signed as the registration says. So a
 * connection registered by the hub receives what the sandbox LMS emits, as from a real LMS.
 */

/** One registration: where the LMS sends, the inbound settings it signs with, for which events. */
export interface SandboxRegistration {
  id: string;
  url: string;
  /** What the vendor's wire format signs with, as a connection's inbound settings name it (Learn365: secret). */
  inbound: Record<string, unknown>;
  /** The vendor's own event names; "*" is every event (ASP.NET WebHooks' wildcard). */
  events: readonly string[];
  description: string | null;
}

export interface RegistrationBook {
  add(registration: SandboxRegistration): void;
  get(id: string): SandboxRegistration | undefined;
  /** False when there was none with that id. */
  remove(id: string): boolean;
  list(): SandboxRegistration[];
  /** The registrations an event goes to; event names compare case-insensitively. */
  matching(event: string): SandboxRegistration[];
}

/** An empty book: one per emulated API the sandbox mounts, kept in memory for the LMS's run. */
export function createRegistrationBook(): RegistrationBook {
  const registrations = new Map<string, SandboxRegistration>();
  return {
    add: (registration) => void registrations.set(registration.id, registration),
    get: (id) => registrations.get(id),
    remove: (id) => registrations.delete(id),
    list: () => [...registrations.values()],
    matching: (event) =>
      [...registrations.values()].filter((registration) => registration.events.some((name) => name === '*' || name.toLowerCase() === event.toLowerCase())),
  };
}
