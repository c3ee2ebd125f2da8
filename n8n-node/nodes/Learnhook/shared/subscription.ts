import type { IDataObject } from 'n8n-workflow';
import { dataOf, type HubCaller, hubRequest, isObject } from './transport';

/**
 * The trigger's webhook lifecycle, kept apart from n8n so it can be tested on its own. The hub,
 * not the node's static data, is the truth: static data is lost or stale after restarts, edits,
 * the editor's test listener and hub-side deletions, and trusting it alone is how community
 * triggers end up with two subscriptions or none.
 */

export interface SubscriptionSpec {
	url: string;
	events: string[];
	courseId?: string;
	description?: string;
}

export interface HookSummary {
	id: string;
	url: string;
	events: string[];
	courseId?: string;
}

/** What the node keeps in getWorkflowStaticData('node'). */
export interface StoredSubscription {
	hookId?: string;
	secret?: string;
}

export interface HubHooks {
	/** undefined when the hub no longer has it. */
	get(id: string): Promise<HookSummary | undefined>;
	/** Every hook the credential's key created. */
	listMine(): Promise<HookSummary[]>;
	create(spec: SubscriptionSpec): Promise<{ id: string; secret: string }>;
	/** Resolves also when the hook is already gone. */
	remove(id: string): Promise<void>;
}

function sameEvents(a: readonly string[], b: readonly string[]): boolean {
	const left = [...new Set(a)].sort();
	const right = [...new Set(b)].sort();
	return left.length === right.length && left.every((value, index) => value === right[index]);
}

export function matches(hook: HookSummary, spec: SubscriptionSpec): boolean {
	return hook.url === spec.url && sameEvents(hook.events, spec.events) && (hook.courseId ?? '') === (spec.courseId ?? '');
}

function forget(stored: StoredSubscription): void {
	delete stored.hookId;
	delete stored.secret;
}

/**
 * True when the stored hook still exists on the hub as configured. Otherwise removes every hook of
 * this key that targets this URL (stale after an edit, or orphaned: its secret is not ours), so
 * that the create which follows leaves exactly one.
 */
export async function checkExists(hub: HubHooks, spec: SubscriptionSpec, stored: StoredSubscription): Promise<boolean> {
	let keep: string | undefined;
	if (stored.hookId && stored.secret) {
		const hook = await hub.get(stored.hookId);
		if (hook && matches(hook, spec)) keep = hook.id;
	}
	const others = (await hub.listMine()).filter((hook) => hook.url === spec.url && hook.id !== keep);
	for (const hook of others) await hub.remove(hook.id);
	if (keep) return true;
	if (stored.hookId) await hub.remove(stored.hookId);
	forget(stored);
	return false;
}

export async function create(hub: HubHooks, spec: SubscriptionSpec, stored: StoredSubscription): Promise<boolean> {
	const hook = await hub.create(spec);
	stored.hookId = hook.id;
	stored.secret = hook.secret;
	return true;
}

/** Unsubscribes; a hook already deleted on the hub counts as done. */
export async function remove(hub: HubHooks, stored: StoredSubscription): Promise<boolean> {
	if (stored.hookId) await hub.remove(stored.hookId);
	forget(stored);
	return true;
}

function toSummary(value: IDataObject): HookSummary | undefined {
	if (typeof value.id !== 'string' || typeof value.url !== 'string' || !Array.isArray(value.events)) return undefined;
	const filter = isObject(value.filter) ? value.filter : {};
	const courseIds = ([] as unknown[]).concat(filter.course_id ?? []).filter((id): id is string => typeof id === 'string');
	return {
		id: value.id,
		url: value.url,
		events: value.events.filter((event): event is string => typeof event === 'string'),
		// The hub answers course_id as a list (it accepts one id or several).
		...(courseIds.length ? { courseId: courseIds.join(',') } : {}),
	};
}

/** HubHooks over the hub's REST API with the node's credential. */
export function hubHooks(context: HubCaller): HubHooks {
	return {
		async get(id) {
			const response = await hubRequest(context, 'GET', `/v1/hooks/${encodeURIComponent(id)}`, { accept: [404] });
			return response.statusCode === 404 || !isObject(response.body) ? undefined : toSummary(response.body);
		},
		async listMine() {
			const hooks: HookSummary[] = [];
			let cursor: string | undefined;
			do {
				const response = await hubRequest(context, 'GET', '/v1/hooks', {
					qs: { mine: 'true', limit: 100, ...(cursor ? { cursor } : {}) },
				});
				for (const item of dataOf(response.body)) {
					const hook = toSummary(item);
					if (hook) hooks.push(hook);
				}
				const next = isObject(response.body) ? response.body.next_cursor : undefined;
				cursor = typeof next === 'string' && next ? next : undefined;
			} while (cursor);
			return hooks;
		},
		async create(spec) {
			const body: IDataObject = { url: spec.url, events: spec.events };
			if (spec.courseId) body.filter = { course_id: spec.courseId };
			if (spec.description) body.description = spec.description;
			const response = await hubRequest(context, 'POST', '/v1/hooks', { body });
			const answer = isObject(response.body) ? response.body : {};
			if (typeof answer.id !== 'string' || typeof answer.secret !== 'string') {
				throw new Error('The learnhook hub created a hook but answered no id and secret');
			}
			return { id: answer.id, secret: answer.secret };
		},
		async remove(id) {
			await hubRequest(context, 'DELETE', `/v1/hooks/${encodeURIComponent(id)}`, { accept: [404] });
		},
	};
}
