import { z } from 'zod';
import { type EventType, isEventType } from '../../catalog/index.ts';
import { secret } from '../../secret-fields.ts';
import { MAX_PATH_LENGTH, pathProblem } from './json-path.ts';

/**
 * A custom connection's inbound settings (issue 16 §4): how to verify a request and how to read
 * its events, as data stored (sealed) on the connection. This schema is the single source: the
 * API validates creates and changes with it, OpenAPI documents it, the console builds the mapping
 * form from it, and the adapter and the preview read what it parsed.
 */

const JsonPath = z
  .string()
  .max(MAX_PATH_LENGTH)
  .superRefine((text, issue) => {
    const problem = pathProblem(text);
    if (problem) issue.addIssue({ code: 'custom', message: `This path ${problem}.` });
  });

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HeaderName = z
  .string()
  .regex(HEADER_NAME, { error: 'must be an HTTP header name, e.g. X-Signature' })
  .transform((name) => name.toLowerCase());

const CatalogType = z
  .string()
  .refine(isEventType, { error: (issue) => `${JSON.stringify(issue.input)} is not a catalog event type (GET /v1/catalog lists them)` })
  .transform((type) => type as EventType);

/** Where one envelope field comes from: a JSON path in the event, a constant, or the path with the constant as fallback. */
const FieldSource = (title: string, description: string) =>
  z
    .object({
      path: JsonPath.optional().meta({
        title: 'JSON path',
        description: 'Where the value is in each event, e.g. user.email or attempts[0].score; start with $. to read from the whole body.',
      }),
      value: z.string().max(500).optional().meta({ title: 'Constant', description: 'Used when there is no path or the path finds nothing.' }),
    })
    .optional()
    .meta({ title, description });

export const CUSTOM_FIELDS = {
  learner_id: FieldSource('Learner ID', "The learner's id in the LMS. The email is used when there is no id."),
  learner_email: FieldSource('Learner email', "The learner's email address."),
  learner_name: FieldSource('Learner name', "The learner's full name."),
  course_id: FieldSource('Course ID', "The course's id in the LMS."),
  course_title: FieldSource('Course title', "The course's title."),
  enrollment_status: FieldSource('Enrollment status', 'completed, in_progress, failed, … (a status the LMS spells differently is read too).'),
  enrollment_score: FieldSource('Enrollment score', 'A number from 0 to 100.'),
  enrollment_completed_at: FieldSource('Completed at', 'When the learner completed: an ISO time or epoch seconds/milliseconds.'),
  occurred_at: FieldSource('Occurred at', 'When the event happened; the receive time when absent.'),
  event_id: FieldSource('Event ID', "The LMS's own id for the event, so a retried webhook is stored once. Without it, the body is the identity."),
} as const;
export type CustomField = keyof typeof CUSTOM_FIELDS;

export const CustomMapping = z
  .object({
    events: JsonPath.default('').meta({
      title: 'Where the events are',
      description: 'Empty when the whole body is one event; the array of events otherwise, e.g. events or data.items[*].',
    }),
    event_name: FieldSource('Event name', 'The field that names the event, e.g. event or type.'),
    types: z
      .record(z.string().min(1).max(200), CatalogType)
      .default({})
      .meta({ title: 'Event types', description: 'Each event name the LMS sends, with the catalog type it becomes; any other name becomes lms.event.' }),
    fields: z.object(CUSTOM_FIELDS).default({}).meta({ title: 'Envelope fields' }),
  })
  .meta({ title: 'Mapping' });
export type CustomMapping = z.infer<typeof CustomMapping>;

export const HMAC_ALGORITHMS = ['sha256', 'sha1', 'sha512'] as const;

export const CustomVerify = z
  .object({
    method: z
      .enum(['token', 'header', 'hmac'])
      .default('token')
      .meta({ title: 'Method', description: 'token: only the secret ingest URL; header: a fixed header value; hmac: a signature header over the body.' }),
    header: HeaderName.optional().meta({ title: 'Header', description: 'The header carrying the value or signature, e.g. X-Signature.' }),
    secret: secret(z.string().min(8).max(500)).optional().meta({ title: 'Secret', description: 'The header value (header) or the signing key (hmac).' }),
    algorithm: z.enum(HMAC_ALGORITHMS).default('sha256').meta({ title: 'Algorithm' }),
    encoding: z.enum(['hex', 'base64']).default('hex').meta({ title: 'Encoding' }),
    prefix: z.string().max(40).optional().meta({ title: 'Prefix', description: 'Text before the signature in the header, e.g. sha256=.' }),
    signed: z
      .enum(['body', 'timestamp.body'])
      .default('body')
      .meta({ title: 'Signed content', description: 'body: the raw body; timestamp.body: the timestamp header, a dot, then the raw body.' }),
    timestamp_header: HeaderName.optional().meta({ title: 'Timestamp header', description: 'For timestamp.body: the header with the timestamp.' }),
  })
  .superRefine((verify, issue) => {
    const need = (key: 'header' | 'secret' | 'timestamp_header', why: string) => {
      if (verify[key] === undefined) issue.addIssue({ code: 'custom', path: [key], message: `Required ${why}.` });
    };
    if (verify.method === 'header' || verify.method === 'hmac') {
      need('header', `for method ${verify.method}`);
      need('secret', `for method ${verify.method}`);
    }
    if (verify.method === 'hmac' && verify.signed === 'timestamp.body') need('timestamp_header', 'when the timestamp is signed');
  })
  .meta({ title: 'How the LMS proves it is the LMS' });
export type CustomVerify = z.infer<typeof CustomVerify>;

/** A custom connection's inbound settings: verification and mapping. */
export const CustomInbound = z.object({
  verify: CustomVerify.default({ method: 'token', algorithm: 'sha256', encoding: 'hex', signed: 'body' }),
  mapping: CustomMapping.default({ events: '', types: {}, fields: {} }),
});
export type CustomInbound = z.infer<typeof CustomInbound>;
