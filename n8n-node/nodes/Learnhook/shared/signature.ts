import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks verification (https://www.standardwebhooks.com/), on node:crypto only: a
 * community node may have no runtime dependencies, so this mirrors core's verifier; a test keeps
 * the two in agreement.
 */

/** The spec's window: a timestamp further than this from now, either way, is refused. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

const SECRET_PREFIX = 'whsec_';

export type SignatureCheck = { valid: true } | { valid: false; reason: string };

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks the webhook-id, webhook-timestamp and webhook-signature headers against the raw body and
 * answers whether they hold, with the reason when not; it never throws (core's verifier throws).
 */
export function checkStandardWebhook(input: { headers: Headers; rawBody: Buffer | string; secret: string; nowSeconds: number }): SignatureCheck {
	const id = header(input.headers, 'webhook-id');
	const timestamp = header(input.headers, 'webhook-timestamp');
	const signatures = header(input.headers, 'webhook-signature');
	if (!id || !timestamp || !signatures) {
		return { valid: false, reason: 'Missing webhook-id, webhook-timestamp or webhook-signature header' };
	}
	if (!/^\d+$/.test(timestamp)) return { valid: false, reason: 'webhook-timestamp is not unix seconds' };
	if (Math.abs(input.nowSeconds - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) {
		return { valid: false, reason: 'webhook-timestamp is too old or too new' };
	}
	const encodedKey = input.secret.startsWith(SECRET_PREFIX) ? input.secret.slice(SECRET_PREFIX.length) : input.secret;
	const key = Buffer.from(encodedKey, 'base64');
	if (key.length === 0) return { valid: false, reason: 'The stored signing secret is empty' };
	const expected = createHmac('sha256', key)
		.update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), Buffer.from(input.rawBody)]))
		.digest();
	// Several space-separated signatures are allowed (key rotation); one match is enough.
	for (const entry of signatures.split(' ')) {
		if (!entry.startsWith('v1,')) continue;
		const offered = Buffer.from(entry.slice(3), 'base64');
		if (offered.length === expected.length && timingSafeEqual(offered, expected)) return { valid: true };
	}
	return { valid: false, reason: 'No webhook-signature matches' };
}
