import { signStandardWebhook } from '@learnhook/core';
import { describe, expect, it } from 'vitest';
import { checkStandardWebhook } from './signature.js';

const secret = `whsec_${Buffer.from('a-32-byte-key-for-the-tests-0123').toString('base64')}`;
const now = 1_800_000_000;
const body = JSON.stringify({ id: 'evt_1', type: 'enrollment.completed' });

function signed(overrides: { body?: string; timestamp?: number; secret?: string } = {}) {
	const headers: Record<string, string> = {
		...signStandardWebhook({
			id: 'msg_1',
			timestampSeconds: overrides.timestamp ?? now,
			body,
			secret: overrides.secret ?? secret,
		}),
	};
	return { headers, rawBody: Buffer.from(overrides.body ?? body), secret, nowSeconds: now };
}

describe('checkStandardWebhook (agrees with core signStandardWebhook)', () => {
	it('accepts a request core signed', () => {
		expect(checkStandardWebhook(signed())).toEqual({ valid: true });
	});

	it('accepts a string body and a timestamp just inside the window', () => {
		const request = signed({ timestamp: now - 300 });
		expect(checkStandardWebhook({ ...request, rawBody: body })).toEqual({ valid: true });
	});

	it('accepts when one of several signatures matches (key rotation)', () => {
		const request = signed();
		request.headers['webhook-signature'] = `v1,AAAA ${request.headers['webhook-signature']}`;
		expect(checkStandardWebhook(request).valid).toBe(true);
	});

	it('rejects a changed body', () => {
		expect(checkStandardWebhook(signed({ body: body.replace('evt_1', 'evt_2') })).valid).toBe(false);
	});

	it('rejects another secret', () => {
		const other = `whsec_${Buffer.from('another-key-another-key-another!').toString('base64')}`;
		expect(checkStandardWebhook(signed({ secret: other })).valid).toBe(false);
	});

	it('rejects timestamps more than 5 minutes old or ahead', () => {
		expect(checkStandardWebhook(signed({ timestamp: now - 301 }))).toMatchObject({ valid: false, reason: expect.stringMatching(/too old/) });
		expect(checkStandardWebhook(signed({ timestamp: now + 301 })).valid).toBe(false);
	});

	it('rejects missing headers and a malformed timestamp', () => {
		const request = signed();
		expect(checkStandardWebhook({ ...request, headers: {} }).valid).toBe(false);
		expect(checkStandardWebhook({ ...request, headers: { ...request.headers, 'webhook-timestamp': 'soon' } }).valid).toBe(false);
	});

	it('rejects a signature of another scheme or length', () => {
		const request = signed();
		const value = request.headers['webhook-signature'] ?? '';
		expect(checkStandardWebhook({ ...request, headers: { ...request.headers, 'webhook-signature': value.replace('v1,', 'v2,') } }).valid).toBe(false);
		expect(checkStandardWebhook({ ...request, headers: { ...request.headers, 'webhook-signature': 'v1,AAAA' } }).valid).toBe(false);
	});
});
