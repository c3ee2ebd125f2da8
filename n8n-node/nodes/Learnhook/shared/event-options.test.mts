import { CATALOG } from '@learnhook/core';
import { describe, expect, it } from 'vitest';
import { ANY_EVENT, eventOptions } from './event-options.js';

describe('the trigger event options', () => {
	const options = eventOptions(CATALOG);

	it('start with "Any Event" and then list every catalog type once, by title', () => {
		expect(options[0]).toEqual(ANY_EVENT);
		expect(
			options
				.slice(1)
				.map((option) => option.value)
				.sort(),
		).toEqual(CATALOG.map((entry) => entry.type).sort());
		const names = options.slice(1).map((option) => option.name);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
	});

	it('carry the catalog title and description', () => {
		expect(options).toContainEqual({
			name: 'Certificate Awarded',
			value: 'certificate.awarded',
			description: 'Triggers when a learner is awarded a certificate.',
		});
	});
});
