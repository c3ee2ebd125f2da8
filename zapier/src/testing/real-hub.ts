/**
 * Test support for the Zapier app's tests (not part of the app): a catcher that plays
 * hooks.zapier.com by recording the hub's deliveries, and the shape in which Zapier hands a
 * received request to perform. The real hub itself is @learnhook/core/testing's startTestHub.
 */
import { eventually, type ReceivedRequest, startReceiver } from '@learnhook/core/testing';

/** Records every request and answers 200, as hooks.zapier.com does for a Zap that is on. */
export async function startCatcher() {
  const receiver = await startReceiver(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"success"}' }));
  return {
    url: receiver.url,
    caught: receiver.received,
    /** The first request to `requestPath`, once it has arrived. */
    next: (requestPath: string, timeoutMs = 10_000): Promise<ReceivedRequest> =>
      eventually(async () => receiver.received.find((request) => request.url === requestPath), timeoutMs, `a request to ${requestPath}`),
    close: receiver.close,
  };
}

/** "webhook-signature" -> "Http-Webhook-Signature": how Zapier names most headers it passes on. */
function zapierHeaderName(name: string): string {
  const camel = name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('-');
  return name === 'content-type' || name === 'content-length' ? camel : `Http-${camel}`;
}

/** bundle.rawRequest and bundle.cleanedRequest for a request Zapier received (notes/zapier.md). */
export function asZapierRequest(request: ReceivedRequest) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[zapierHeaderName(name)] = Array.isArray(value) ? value.join(', ') : value;
  }
  const cleanedRequest: unknown = JSON.parse(request.body);
  return { rawRequest: { method: 'POST' as const, querystring: '', headers, content: request.body }, cleanedRequest };
}

/**
 * What a Zapier user reads for an error thrown by the app: z.errors.Error carries it as JSON
 * {message, code, status}; the others (ExpiredAuthError, HaltedError) as plain text, to which
 * Zapier may append a "What happened:" trace of the call for the developer.
 */
export function userMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const [text = ''] = error.message.split('\nWhat happened:\n');
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: the message is the text itself.
  }
  return text;
}
