import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { runOperation } from './actions';
import { getCourses, getEvents } from './shared/load-options';

export class Learnhook implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Learnhook',
		name: 'learnhook',
		icon: { light: 'file:../../icons/learnhook.svg', dark: 'file:../../icons/learnhook.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Get, list or replay learning events, look up LMS users and courses, and manage subscriptions on a learnhook hub',
		defaults: { name: 'Learnhook' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'learnhookApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Course', value: 'course' },
					{ name: 'Event', value: 'event' },
					{ name: 'Subscription', value: 'subscription' },
					{ name: 'User', value: 'user' },
				],
				default: 'event',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['event'] } },
				options: [
					{ name: 'Get', value: 'get', action: 'Get an event', description: 'Get a stored event, hydrated' },
					{ name: 'Get Many', value: 'getAll', action: 'Get many events', description: 'List stored events, newest first' },
					{ name: 'Replay', value: 'replay', action: 'Replay an event', description: 'Deliver a stored event again to its subscribers' },
				],
				default: 'get',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['subscription'] } },
				options: [
					{
						name: 'Create',
						value: 'create',
						action: 'Create a subscription',
						description: 'Subscribe a URL to LMS events; the output holds its signing secret',
					},
					{
						name: 'Delete',
						value: 'delete',
						action: 'Delete a subscription',
						description: 'Unsubscribe a URL; a subscription already deleted counts as done',
					},
				],
				default: 'create',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['user'] } },
				options: [{ name: 'Search', value: 'search', action: 'Search users', description: 'Search the LMS users by name, email or ID' }],
				default: 'search',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['course'] } },
				options: [{ name: 'Search', value: 'search', action: 'Search courses', description: 'Search the LMS courses by title or ID' }],
				default: 'search',
			},
			{
				displayName: 'Event ID',
				name: 'eventId',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'evt_01J...',
				displayOptions: { show: { resource: ['event'], operation: ['get', 'replay'] } },
			},
			{
				displayName: 'Event Name or ID',
				name: 'eventType',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getEvents' },
				default: '*',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				displayOptions: { show: { resource: ['event'], operation: ['getAll'] } },
			},
			{
				displayName: 'Return All',
				name: 'returnAll',
				type: 'boolean',
				default: false,
				description: 'Whether to return all results or only up to a given limit',
				displayOptions: { show: { resource: ['event'], operation: ['getAll'] } },
			},
			{
				displayName: 'Limit',
				name: 'limit',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 50,
				description: 'Max number of results to return',
				displayOptions: { show: { resource: ['event'], operation: ['getAll'], returnAll: [false] } },
			},
			{
				displayName: 'Filters',
				name: 'filters',
				type: 'collection',
				placeholder: 'Add Filter',
				default: {},
				displayOptions: { show: { resource: ['event'], operation: ['getAll'] } },
				options: [
					{
						displayName: 'Course',
						name: 'course',
						type: 'string',
						default: '',
						description: 'Only events about this course: its ID, or part of its title',
					},
					{
						displayName: 'Learner Email',
						name: 'learnerEmail',
						type: 'string',
						placeholder: 'name@email.com',
						default: '',
						description: 'Only events about the learner with this email (any case), found once the hub has processed them, seconds after they arrive',
					},
				],
			},
			{
				displayName: 'Search',
				name: 'query',
				type: 'string',
				default: '',
				description: 'Name, email or ID to search for; empty lists the first matches',
				displayOptions: { show: { resource: ['user', 'course'], operation: ['search'] } },
			},
			{
				displayName: 'URL',
				name: 'url',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'https://example.com/hooks/learning',
				description: 'Where the hub POSTs each event, signed with Standard Webhooks',
				displayOptions: { show: { resource: ['subscription'], operation: ['create'] } },
			},
			{
				displayName: 'Event Names or IDs',
				name: 'events',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getEvents' },
				required: true,
				default: [],
				description: 'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				displayOptions: { show: { resource: ['subscription'], operation: ['create'] } },
			},
			{
				displayName: 'Additional Fields',
				name: 'additionalFields',
				type: 'collection',
				placeholder: 'Add Field',
				default: {},
				displayOptions: { show: { resource: ['subscription'], operation: ['create'] } },
				options: [
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
						displayName: 'Description',
						name: 'description',
						type: 'string',
						default: '',
						description: 'A note shown with the subscription on the hub',
					},
				],
			},
			{
				displayName: 'Subscription ID',
				name: 'hookId',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'hook_...',
				description: 'The ID the hub answered when the subscription was created',
				displayOptions: { show: { resource: ['subscription'], operation: ['delete'] } },
			},
		],
	};

	methods = {
		loadOptions: { getEvents, getCourses },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];
		for (let index = 0; index < items.length; index++) {
			const resource = this.getNodeParameter('resource', index) as string;
			const operation = this.getNodeParameter('operation', index) as string;
			try {
				for (const json of await runOperation(this, resource, operation, index)) output.push({ json, pairedItem: { item: index } });
			} catch (error) {
				if (!this.continueOnFail()) {
					throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: index });
				}
				output.push({ json: { error: error instanceof Error ? error.message : String(error) }, pairedItem: { item: index } });
			}
		}
		return [output];
	}
}
