/** The shared real-hub test helpers live in core's testing module; test/ imports them from here. */
export { ADMIN_KEY, eventually, startReceiver, startTestHub, type ReceivedRequest, type TestHub, type TestHubOptions } from '@learnhook/core/testing';
