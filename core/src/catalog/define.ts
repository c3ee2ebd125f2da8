import { z } from 'zod';
import { Actor, Course, Enrollment, Hydration, Learner, Source } from './parts.ts';

/** Whether an event type carries an object: always, when the LMS says so, or never (then it is null). */
type Presence = 'required' | 'optional' | 'none';

type Part<P extends Presence, S extends z.ZodType> = P extends 'required' ? S : P extends 'optional' ? z.ZodNullable<S> : z.ZodNull;

function part<P extends Presence, S extends z.ZodType>(presence: P, schema: S): Part<P, S> {
  const built = presence === 'required' ? schema : presence === 'optional' ? schema.nullable() : z.null();
  // The runtime value is exactly the conditional type's branch; TypeScript cannot follow the ternary.
  return built as Part<P, S>;
}

export interface EventDefinition<T extends string, L extends Presence, C extends Presence, E extends Presence, D extends z.ZodRawShape> {
  type: T;
  /** Plain name a Zap or workflow author picks: "Course Completed". */
  title: string;
  /** "Triggers when ..." sentence for Zapier and n8n. */
  description: string;
  /** The thing the event is about, singular ("Enrollment"): Zapier's noun. */
  noun: string;
  learner: L;
  course: C;
  enrollment: E;
  data: D;
}

/**
 * Builds one catalog entry's envelope schema (DESIGN §2 "Envelope"). The objects a type does not
 * involve are null, so every subscriber sees every key.
 */
export function defineEvent<const T extends string, L extends Presence, C extends Presence, E extends Presence, D extends z.ZodRawShape>(
  definition: EventDefinition<T, L, C, E, D>,
) {
  const schema = z.object({
    id: z.string().meta({ title: 'Event ID' }),
    type: z.literal(definition.type).meta({ title: 'Event Type' }),
    occurred_at: z.iso.datetime().meta({ title: 'Occurred At' }),
    received_at: z.iso.datetime().meta({ title: 'Received At' }),
    source: Source,
    actor: Actor.nullable(),
    learner: part(definition.learner, Learner),
    course: part(definition.course, Course),
    enrollment: part(definition.enrollment, Enrollment),
    data: z.object(definition.data).meta({ title: 'Details' }),
    hydration: Hydration,
    raw: z.unknown().meta({ title: 'Raw Vendor Payload' }),
  });
  return { ...definition, schema };
}
