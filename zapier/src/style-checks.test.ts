import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import app from './index.ts';
import { type AppDefinition, appDescriptionProblems, definitionOf, type Field, STYLE_RULES, titleCaseProblem } from './testing/style-checks.ts';

/**
 * Zapier's integration checks that the app definition alone decides (testing/style-checks.ts),
 * run offline on the definition `zapier-platform validate` would send to Zapier's servers. Each
 * rule also meets a copy of that definition broken on purpose, so none of them passes by never
 * looking.
 */

let definition: AppDefinition;
beforeAll(async () => {
  definition = await definitionOf(app);
});

function inputField(copy: AppDefinition, trigger: string, key: string): Field {
  const field = copy.triggers[trigger]!.operation.inputFields!.find((candidate): candidate is Field => typeof candidate !== 'string' && candidate.key === key);
  if (!field) throw new Error(`No input field ${key} on ${trigger}`);
  return field;
}

/** For each rule (by title): one change to the real definition that violates it. */
const BREAKS: Record<string, (copy: AppDefinition) => void> = {
  'input fields ask for no credential': (copy) => {
    copy.triggers.enrollment_completed!.operation.inputFields!.push({ key: 'api_token', label: 'API Token', helpText: 'Your token.' });
  },
  'the connection label names the connection from test data and shows no credential': (copy) => {
    copy.authentication!.connectionLabel = '{{bundle.authData.api_key}}';
  },
  'ID input fields have a dynamic dropdown': (copy) => {
    delete inputField(copy, 'enrollment_completed', 'course_id').dynamic;
  },
  'every dynamic dropdown names a trigger the app has': (copy) => {
    inputField(copy, 'enrollment_completed', 'course_id').dynamic = 'courses.id.title';
  },
  'every REST hook trigger has a performList for samples': (copy) => {
    delete copy.triggers.enrollment_completed!.operation.performList;
  },
  'URLs in descriptions, help texts and placeholders are HTTPS': (copy) => {
    copy.authentication!.fields![0]!.placeholder = 'http://learnhook.example.com';
  },
  'a URL in a description or help text is a Markdown link or in backticks': (copy) => {
    copy.authentication!.fields![0]!.helpText = 'See https://learnhook.example.com/docs for where to find it.';
  },
  'every search has a field to search by': (copy) => {
    copy.searches.find_user!.operation.inputFields = [];
  },
  "every polling trigger's static sample has its primary key": (copy) => {
    delete copy.triggers.course_list!.operation.sample!.id;
  },
  'no help text repeats its label': (copy) => {
    inputField(copy, 'new_lms_event', 'event_type').helpText = 'Event type.';
  },
  'every visible trigger and search has a static sample': (copy) => {
    delete copy.triggers.enrollment_completed!.operation.sample;
  },
  'every search-powered field names a search the app has': (copy) => {
    inputField(copy, 'enrollment_completed', 'course_id').search = 'find_courses.id';
  },
  'a search-powered field is a plain string or number, not a list, dict or children': (copy) => {
    inputField(copy, 'enrollment_completed', 'course_id').list = true;
  },
  'every search-or-create names a search and a create the app has': (copy) => {
    copy.searchOrCreates.find_or_create_user = { key: 'find_or_create_user', search: 'find_user', create: 'create_user' };
  },
  'every REST hook trigger subscribes and unsubscribes (no static webhook)': (copy) => {
    delete copy.triggers.enrollment_completed!.operation.performUnsubscribe;
  },
  'trigger and search labels are in title case': (copy) => {
    copy.triggers.enrollment_completed!.display.label = 'Course completed';
  },
  'trigger descriptions start "Triggers when " and end with a full stop': (copy) => {
    copy.triggers.enrollment_completed!.display.description = 'Fires when a learner completes a course.';
  },
  'dates and times in static samples are ISO 8601, with a time zone when they have a time': (copy) => {
    copy.triggers.enrollment_completed!.operation.sample!.occurred_at = '2026-03-02T09:15:00';
  },
  "static samples hold every required output field, each of its field's type": (copy) => {
    const sample = copy.triggers.enrollment_completed!.operation.sample!;
    sample.enrollment = { ...(sample.enrollment as object), progress: '100' };
  },
  'no string in the definition is a javascript:, vbscript: or data: URI': (copy) => {
    copy.searches.find_user!.operation.sample!.name = 'javascript:alert(1)';
  },
  'cleanInputData is off, for the app and every operation': (copy) => {
    copy.flags = { cleanInputData: true };
  },
  'searches are labelled "Find ..." and described "Finds ... ."': (copy) => {
    copy.searches.find_user!.display.label = 'Get User';
  },
  'descriptions do not name the integration': (copy) => {
    copy.triggers.enrollment_completed!.display.description = 'Triggers when learnhook hears of a completed course.';
  },
  'every visible trigger and search has a singular noun': (copy) => {
    copy.triggers.credits_awarded!.noun = 'Credits';
  },
  'every auth and input field has a label and help text, and no trigger or search field is labelled "... ID"': (copy) => {
    inputField(copy, 'enrollment_completed', 'course_id').label = 'Course ID';
  },
  'every output field has a label': (copy) => {
    const field = copy.triggers.enrollment_completed!.operation.outputFields![0];
    if (typeof field === 'object') delete field.label;
  },
};

describe("Zapier's integration checks, offline, on the app's definition", () => {
  it('see every trigger and search the app has', () => {
    expect(Object.keys(definition.triggers)).toEqual(Object.keys(app.triggers));
    expect(Object.keys(definition.searches)).toEqual(Object.keys(app.searches));
  });

  it.each(STYLE_RULES.map((rule) => [`${rule.id}: ${rule.title}`, rule] as const))('%s', (_name, rule) => {
    expect(rule.check(definition), rule.source).toEqual([]);

    const broken = structuredClone(definition);
    const breakIt = BREAKS[rule.title];
    if (!breakIt) throw new Error(`No broken copy for "${rule.title}": add one to BREAKS`);
    breakIt(broken);
    expect(rule.check(broken)).not.toEqual([]);
  });

  it('have a broken copy for every rule, and no broken copy without a rule', () => {
    expect(Object.keys(BREAKS).sort()).toEqual(STYLE_RULES.map((rule) => rule.title).sort());
  });
});

describe('title case (D018)', () => {
  it('accepts capitalised words, acronyms and small words inside a label', () => {
    for (const label of ['Course Completed', 'New LMS Event', 'Find User', 'Course Progress Updated', 'Enrollment in a Course'])
      expect(titleCaseProblem(label)).toBeNull();
  });

  it('names the word that breaks it', () => {
    expect(titleCaseProblem('new contact')).toBe('"new"');
    expect(titleCaseProblem('Enrollment In a Course')).toBe('"In"');
    expect(titleCaseProblem('Course completed')).toBe('"completed"');
  });
});

describe('the app description the README registers with (M002)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const descriptions = [...readme.matchAll(/--desc "([^"]+)"/g)].map((match) => match[1] ?? '');

  it('starts "learnhook is a", names neither Zapier nor syncing, and fits 40 to 140 characters', () => {
    expect(descriptions.length).toBeGreaterThan(0);
    for (const description of descriptions) expect(appDescriptionProblems('learnhook', description)).toEqual([]);
  });

  it('is refused when it talks about the Zapier integration instead of the app', () => {
    expect(appDescriptionProblems('learnhook', 'learnhook is a way to sync your LMS with Zapier.')).toEqual(['says "Zapier"', 'talks of syncing']);
    expect(appDescriptionProblems('learnhook', 'Connect any LMS to Zapier and n8n.')).toHaveLength(3);
  });
});
