import type { IDataObject, IExecuteFunctions, IHookFunctions, IHttpRequestMethods, ILoadOptionsFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

/** The n8n function context a hub call runs in: a node's execute, its webhook lifecycle, or an options loader. */
export type HubCaller = IExecuteFunctions | IHookFunctions | ILoadOptionsFunctions;

export interface HubResponse {
	statusCode: number;
	body: unknown;
}

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One authenticated call to the hub. Answers the status and body; any status outside 2xx that
 * the caller did not list in `accept` becomes a NodeApiError.
 */
export async function hubRequest(
	context: HubCaller,
	method: IHttpRequestMethods,
	path: string,
	options: { body?: IDataObject; qs?: IDataObject; accept?: number[] } = {},
): Promise<HubResponse> {
	const credentials = await context.getCredentials('learnhookApi');
	const baseUrl = String(credentials.hubUrl).replace(/\/+$/, '');
	const response: unknown = await context.helpers.httpRequestWithAuthentication.call(context, 'learnhookApi', {
		method,
		url: `${baseUrl}${path}`,
		json: true,
		...(options.body ? { body: options.body } : {}),
		...(options.qs ? { qs: options.qs } : {}),
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	});
	const statusCode = isObject(response) && typeof response.statusCode === 'number' ? response.statusCode : 0;
	const body = isObject(response) ? response.body : undefined;
	const ok = statusCode >= 200 && statusCode < 300;
	if (!ok && !(options.accept ?? []).includes(statusCode)) {
		const message = isObject(body) && isObject(body.error) ? String(body.error.message) : undefined;
		throw new NodeApiError(context.getNode(), (isObject(body) ? body : {}) as JsonObject, {
			httpCode: String(statusCode),
			message: message ?? `The learnhook hub answered ${statusCode} to ${method} ${path}`,
		});
	}
	return { statusCode, body };
}

/** The `data` array of a hub list answer; anything else reads as empty. */
export function dataOf(body: unknown): IDataObject[] {
	if (!isObject(body) || !Array.isArray(body.data)) return [];
	return body.data.filter(isObject);
}

export { isObject };
