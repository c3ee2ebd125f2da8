import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { dataOf, hubRequest, isObject } from './shared/transport';

type Operation = 'getEvent' | 'replayEvent' | 'lookUpUser' | 'lookUpCourse';

async function run(context: IExecuteFunctions, operation: Operation, index: number): Promise<IDataObject[]> {
	if (operation === 'getEvent' || operation === 'replayEvent') {
		const id = encodeURIComponent(context.getNodeParameter('eventId', index) as string);
		const response =
			operation === 'getEvent' ? await hubRequest(context, 'GET', `/v1/events/${id}`) : await hubRequest(context, 'POST', `/v1/events/${id}/replay`);
		return [isObject(response.body) ? response.body : {}];
	}
	const kind = operation === 'lookUpUser' ? 'users' : 'courses';
	const query = context.getNodeParameter('query', index) as string;
	const response = await hubRequest(context, 'GET', `/v1/lookup/${kind}`, { qs: { q: query } });
	return dataOf(response.body);
}

export class Learnhook implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Learnhook',
		name: 'learnhook',
		icon: { light: 'file:../../icons/learnhook.svg', dark: 'file:../../icons/learnhook.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Get or replay learning events and look up LMS users and courses through a learnhook hub',
		defaults: { name: 'Learnhook' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'learnhookApi', required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Get Event', value: 'getEvent', action: 'Get an event', description: 'Get a stored event, hydrated' },
					{ name: 'Look Up Course', value: 'lookUpCourse', action: 'Look up courses', description: 'Search the LMS courses' },
					{ name: 'Look Up User', value: 'lookUpUser', action: 'Look up users', description: 'Search the LMS users' },
					{ name: 'Replay Event', value: 'replayEvent', action: 'Replay an event', description: 'Deliver a stored event again to its subscribers' },
				],
				default: 'getEvent',
			},
			{
				displayName: 'Event ID',
				name: 'eventId',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'evt_01J...',
				displayOptions: { show: { operation: ['getEvent', 'replayEvent'] } },
			},
			{
				displayName: 'Search',
				name: 'query',
				type: 'string',
				default: '',
				description: 'Name, email or ID to search for; empty lists the first matches',
				displayOptions: { show: { operation: ['lookUpUser', 'lookUpCourse'] } },
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];
		for (let index = 0; index < items.length; index++) {
			const operation = this.getNodeParameter('operation', index) as Operation;
			try {
				for (const json of await run(this, operation, index)) output.push({ json, pairedItem: { item: index } });
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
