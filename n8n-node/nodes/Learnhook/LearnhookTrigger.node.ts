import type { IDataObject, IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { getCourses, getEvents } from './shared/load-options';
import { checkStandardWebhook } from './shared/signature';
import { checkExists, create, hubHooks, remove, type StoredSubscription, type SubscriptionSpec } from './shared/subscription';

function subscriptionSpec(context: IHookFunctions): SubscriptionSpec {
	const url = context.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(context.getNode(), 'n8n gave this trigger no webhook URL');
	const chosen = context.getNodeParameter('events', []) as string[];
	// "*" already means every event; listing other types beside it would only narrow nothing.
	const events = chosen.includes('*') || chosen.length === 0 ? ['*'] : chosen;
	const courseId = context.getNodeParameter('courseId', '') as string;
	return {
		url,
		events,
		...(courseId ? { courseId } : {}),
		description: `n8n workflow ${context.getWorkflow().id ?? ''}`.trim(),
	};
}

/** The node's static data, mutated in place as n8n requires. */
function stored(context: IHookFunctions | IWebhookFunctions): StoredSubscription {
	return context.getWorkflowStaticData('node') as StoredSubscription;
}

export class LearnhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Learnhook Trigger',
		name: 'learnhookTrigger',
		icon: { light: 'file:../../icons/learnhook.svg', dark: 'file:../../icons/learnhook.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description: 'Starts the workflow when a learning event arrives from an LMS through a learnhook hub',
		defaults: { name: 'Learnhook Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'learnhookApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName: 'Event Names or IDs',
				name: 'events',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getEvents' },
				required: true,
				default: [],
				description:
					'The LMS events to start on; "Any Event" includes types added later. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Course Name or ID',
				name: 'courseId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getCourses' },
				default: '',
				description:
					'Only events about this course. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Include Raw Payload',
						name: 'includeRaw',
						type: 'boolean',
						default: false,
						description: 'Whether to keep the vendor\'s payload as received, under "raw"',
					},
				],
			},
		],
	};

	methods = {
		loadOptions: { getEvents, getCourses },
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await checkExists(hubHooks(this), subscriptionSpec(this), stored(this));
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await create(hubHooks(this), subscriptionSpec(this), stored(this));
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await remove(hubHooks(this), stored(this));
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject();
		const response = this.getResponseObject();
		const secret = stored(this).secret;
		const check = secret
			? checkStandardWebhook({
					headers: this.getHeaderData(),
					rawBody: request.rawBody ?? '',
					secret,
					nowSeconds: Math.floor(Date.now() / 1000),
				})
			: { valid: false as const, reason: 'This trigger has no subscription secret' };
		if (!check.valid) {
			response.status(401).json({ error: { code: 'signature_invalid', message: check.reason } });
			return { noWebhookResponse: true };
		}
		const event: IDataObject = { ...this.getBodyData() };
		const options = this.getNodeParameter('options', {}) as { includeRaw?: boolean };
		if (!options.includeRaw) delete event.raw;
		return { workflowData: [this.helpers.returnJsonArray([event])] };
	}
}
