/**
 * The trigger's "Events" options, built from the hub's GET /v1/catalog answer at load time
 * (loadOptions), so the node never carries its own copy of the event list (DESIGN §6).
 */
export interface CatalogEntrySummary {
	type: string;
	title: string;
	description: string;
}

export interface EventOption {
	name: string;
	value: string;
	description: string;
}

/** Subscribing to "*" means every event type, present and future. */
export const ANY_EVENT: EventOption = { name: 'Any Event', value: '*', description: 'Trigger on every LMS event' };

/** n8n option names sort the list a user scrolls; "Any Event" stays first. */
export function eventOptions(catalog: readonly CatalogEntrySummary[]): EventOption[] {
	const options = catalog
		.map((entry) => ({ name: entry.title, value: entry.type, description: entry.description }))
		.sort((a, b) => a.name.localeCompare(b.name));
	return [ANY_EVENT, ...options];
}
