/**
 * Auto-registration (issue 16 §5): what the hub registered at the LMS for a connection, as JSON
 * (state, the LMS's registration id, the events, a message for a person, when). A column of its
 * own rather than part of the sealed inbound settings: it is no secret, the console shows it
 * without opening anything, and a change of the inbound settings (re-parsed by the vendor's
 * schema, which drops keys it does not know) must not lose the id needed to unregister.
 */
export const REGISTRATION_SCHEMA = `
  ALTER TABLE connections ADD COLUMN registration TEXT;
`;
