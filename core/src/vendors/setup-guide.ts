/**
 * What a person does in their LMS's admin screens to point it at a connection: each vendor folder's
 * setup-guide.ts, from the vendor's own documentation. The console renders it beside the values to paste.
 */

/** The values a guide refers to, as the console holds them for one connection. */
export interface GuideValues {
  ingestUrl: string;
  xapiUrl: string | null;
  /** The connection's inbound settings (secrets masked unless just created). */
  inbound: Readonly<Record<string, unknown>>;
}

/** A value to paste into the LMS, with a copy button. */
export interface Paste {
  label: string;
  value: string;
  secret?: boolean;
}

export interface GuideStep {
  text: string;
  paste?: Paste[];
}

export interface SetupGuide {
  /** One line a gallery card shows. */
  summary: string;
  /** Where in the LMS the settings live. */
  where: string;
  steps(values: GuideValues): GuideStep[];
  /** The vendor's event names worth ticking first; the connection page lists the rest. */
  tick: readonly string[];
  /** The vendor's own documentation for the screen the steps describe; empty when there is no one vendor (custom). */
  docs: string;
}

/** A guide value as text; empty when it is not a string. */
export const text = (value: unknown): string => (typeof value === 'string' ? value : '');
/** A string one level down (the xapi credentials' username); empty when absent. */
export const nested = (value: unknown, key: string): string => (typeof value === 'object' && value !== null ? text(Reflect.get(value, key)) : '');
/** The step that gives an xAPI LRS endpoint and its credentials, for the vendors that take statements. */
export const lrsStep = (values: GuideValues, what: string): GuideStep[] =>
  values.xapiUrl
    ? [
        {
          text: `${what} Use the xAPI (LRS) endpoint below with HTTP Basic authentication.`,
          paste: [
            { label: 'LRS endpoint', value: values.xapiUrl },
            { label: 'LRS username', value: nested(values.inbound.xapi, 'username') },
            { label: 'LRS password', value: nested(values.inbound.xapi, 'password'), secret: true },
          ],
        },
      ]
    : [];
