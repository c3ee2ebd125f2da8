import type { IAuthenticateGeneric, Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

export class LearnhookApi implements ICredentialType {
	name = 'learnhookApi';

	displayName = 'Learnhook API';

	icon: Icon = { light: 'file:../icons/learnhook.svg', dark: 'file:../icons/learnhook.dark.svg' };

	documentationUrl = 'https://github.com/learnhook/learnhook/tree/main/n8n-node#connect-to-a-hub';

	properties: INodeProperties[] = [
		{
			displayName: 'Hub URL',
			name: 'hubUrl',
			type: 'string',
			default: '',
			placeholder: 'https://learnhook.example.com',
			required: true,
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.hubUrl}}',
			url: '/v1/me',
			method: 'GET',
		},
	};
}
