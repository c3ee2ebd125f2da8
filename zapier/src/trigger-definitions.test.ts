import { CATALOG } from '@learnhook/core';
import { describe, expect, it } from 'vitest';
import { triggerDefinitions, triggerKey } from './trigger-definitions.ts';

describe('the Zapier trigger definitions', () => {
  const triggers = triggerDefinitions();

  it('give every catalog type exactly one trigger', () => {
    expect(triggers.map((trigger) => trigger.eventType)).toEqual(CATALOG.map((entry) => entry.type));
  });

  it('use keys Zapier accepts, each once', () => {
    for (const trigger of triggers) expect(trigger.key).toMatch(/^[a-zA-Z]+[a-zA-Z0-9_]*$/);
    expect(new Set(triggers.map((trigger) => trigger.key)).size).toBe(triggers.length);
    expect(triggerKey('enrollment.approval_requested')).toBe('enrollment_approval_requested');
  });

  it('label triggers within Zapier\'s 2–64 characters and describe them as "Triggers when ..."', () => {
    const completed = triggers.find((trigger) => trigger.eventType === 'enrollment.completed');
    expect(completed?.display.label).toBe('Course Completed');
    for (const trigger of triggers) {
      expect(trigger.display.label.length).toBeGreaterThanOrEqual(2);
      expect(trigger.display.label.length).toBeLessThanOrEqual(64);
      expect(trigger.display.description).toMatch(/^Triggers (when|on) /);
    }
  });

  it('offer output fields with Zapier types only and the catalog sample', () => {
    const completed = triggers.find((trigger) => trigger.eventType === 'enrollment.completed');
    expect(completed?.outputFields).toContainEqual({ key: 'learner__email', label: 'Learner Email', type: 'string' });
    expect(completed?.outputFields.find((field) => field.key === 'hydration__missing')?.type).toBe('string');
    expect(completed?.sample).toEqual(CATALOG.find((entry) => entry.type === 'enrollment.completed')?.sample);
  });
});
