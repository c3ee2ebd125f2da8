/** Test helpers shared by core's tests and the cross-package tests in test/. Not part of the hub. */
export * from './ingest-request.ts';
export * from './listen.ts';
export * from './vendor-requests.ts';
