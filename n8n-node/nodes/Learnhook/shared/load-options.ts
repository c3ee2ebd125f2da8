import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { type CatalogEntrySummary, eventOptions } from './event-options';
import { dataOf, hubRequest } from './transport';

/** The trigger's event list, from the hub's catalog (never a copy in the node). */
export async function getEvents(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const response = await hubRequest(this, 'GET', '/v1/catalog');
	const catalog: CatalogEntrySummary[] = dataOf(response.body).map((entry) => ({
		type: String(entry.type),
		title: String(entry.title ?? entry.type),
		description: String(entry.description ?? ''),
	}));
	return eventOptions(catalog);
}

/** Courses for the filter; the first option means no filter. */
export async function getCourses(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const response = await hubRequest(this, 'GET', '/v1/lookup/courses', { qs: { q: '' } });
	const courses = dataOf(response.body).map((course) => ({
		name: String(course.title ?? course.id),
		value: String(course.id),
	}));
	return [{ name: 'All Courses', value: '' }, ...courses];
}

/** Users for the regular node's lookup. */
export async function getUsers(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const response = await hubRequest(this, 'GET', '/v1/lookup/users', { qs: { q: '' } });
	return dataOf(response.body).map((user) => ({
		name: String(user.email ?? user.name ?? user.id),
		value: String(user.id),
	}));
}
