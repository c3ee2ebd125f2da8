import { z } from 'zod';

/**
 * The xAPI 1.0.3 Statement as this LRS validates it.
 *
 * Spec: https://github.com/adlnet/xAPI-Spec (xAPI-Data.md §2.4 Statement properties).
 */

const IRI = z.string().regex(/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/, { error: 'must be an absolute IRI, e.g. http://adlnet.gov/expapi/verbs/completed' });
const LanguageMap = z.record(z.string(), z.string());
const Timestamp = z.iso.datetime({ offset: true, local: true, error: 'must be an ISO 8601 timestamp' });

const Account = z.looseObject({ homePage: IRI, name: z.string().min(1) });

/** Agent fields; a Group adds `member`. Each identifies by exactly one inverse functional identifier. */
const agentFields = {
  name: z.string().optional(),
  mbox: z
    .string()
    .regex(/^mailto:[^\s@]+@[^\s@]+$/i, { error: 'must be a mailto: IRI' })
    .optional(),
  mbox_sha1sum: z
    .string()
    .regex(/^[0-9a-f]{40}$/i, { error: 'must be 40 hex digits' })
    .optional(),
  openid: IRI.optional(),
  account: Account.optional(),
};

const IDENTIFIERS = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;

interface Identified {
  objectType?: string | undefined;
  member?: unknown[] | undefined;
  mbox?: unknown;
  mbox_sha1sum?: unknown;
  openid?: unknown;
  account?: unknown;
}

/** xAPI-Data §2.4.2: one identifier per Agent or identified Group; an anonymous Group lists members instead. */
function checkIdentifier(value: Identified, ctx: z.core.$RefinementCtx): void {
  const given = IDENTIFIERS.filter((key) => value[key] !== undefined);
  if (given.length > 1) {
    ctx.addIssue({ code: 'custom', message: `has ${given.join(' and ')}; an agent carries exactly one identifier`, input: value });
  } else if (given.length === 0 && !(value.objectType === 'Group' && value.member && value.member.length > 0)) {
    ctx.addIssue({ code: 'custom', message: 'needs one of mbox, mbox_sha1sum, openid or account', input: value });
  }
}

const Agent = z.looseObject({ objectType: z.literal('Agent').optional(), ...agentFields }).superRefine(checkIdentifier);

const Actor = z
  .looseObject({ objectType: z.enum(['Agent', 'Group']).optional(), ...agentFields, member: z.array(Agent).optional() })
  .superRefine(checkIdentifier);

const ActivityDefinition = z.looseObject({
  name: LanguageMap.optional(),
  description: LanguageMap.optional(),
  type: IRI.optional(),
  moreInfo: z.string().optional(),
});

const StatementObject = z
  .looseObject({
    objectType: z.enum(['Activity', 'Agent', 'Group', 'StatementRef', 'SubStatement']).optional(),
    id: z.string().optional(),
    definition: ActivityDefinition.optional(),
    ...agentFields,
    member: z.array(Agent).optional(),
    actor: z.unknown().optional(),
    verb: z.unknown().optional(),
    object: z.unknown().optional(),
  })
  .superRefine((value, ctx) => {
    const kind = value.objectType ?? 'Activity';
    if (kind === 'Activity' && !IRI.safeParse(value.id).success) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'an Activity needs an id IRI', input: value.id });
    } else if (kind === 'StatementRef' && !z.guid().safeParse(value.id).success) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'a StatementRef needs the UUID of the statement it refers to', input: value.id });
    } else if (kind === 'Agent' || kind === 'Group') {
      checkIdentifier(value, ctx);
    } else if (kind === 'SubStatement') {
      for (const key of ['actor', 'verb', 'object'] as const) {
        if (value[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'a SubStatement needs actor, verb and object', input: value });
      }
    }
  });

const Result = z.looseObject({
  score: z
    .looseObject({
      scaled: z.number().min(-1).max(1).optional(),
      raw: z.number().optional(),
      min: z.number().optional(),
      max: z.number().optional(),
    })
    .optional(),
  success: z.boolean().optional(),
  completion: z.boolean().optional(),
  response: z.string().optional(),
  duration: z.string().optional(),
});

/** One statement as validated here: strict on what the mapping reads, every other property kept. */
export const XapiStatementSchema = z.looseObject({
  id: z.guid({ error: 'must be a UUID' }).optional(),
  actor: Actor,
  verb: z.looseObject({ id: IRI, display: LanguageMap.optional() }),
  object: StatementObject,
  result: Result.optional(),
  context: z.looseObject({}).optional(),
  timestamp: Timestamp.optional(),
  stored: Timestamp.optional(),
});
export type XapiStatement = z.infer<typeof XapiStatementSchema>;
