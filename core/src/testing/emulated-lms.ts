import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { type Request } from 'express';
import { expect, onTestFinished } from 'vitest';
import type { Vendor } from '../catalog/index.ts';
import { type ListPage, LmsApiError, type LmsHttp, type VendorApi } from '../hydrate/client.ts';
import { createLmsHttp, isRetryable } from '../hydrate/http-json.ts';
import { createLogger } from '../logger.ts';
import type { EmulatedApi } from '../sandbox/api/types.ts';
import { demoData, type SandboxData } from '../sandbox/demo-data.ts';
import { openLmsData } from '../sandbox/lms-data.ts';
import { startSandboxLms } from '../sandbox/server.ts';
import { VENDOR_REGISTRY } from '../vendors/registry.ts';
import { listenForTest } from './listen.ts';

/** The sandbox organisation's data file, for tests that run the sandbox LMS on its own. */
export { openLmsData } from '../sandbox/lms-data.ts';
/** The sandbox LMS, for tests that run it on their own. */
export { startSandboxLms } from '../sandbox/server.ts';

/** An emulated vendor API being served, and what a connection needs to reach it. */
export interface ServedEmulator {
  data: SandboxData;
  /** The server: http://127.0.0.1:<port>. */
  url: string;
  /** Where the API is mounted (`url` and its prefix): a connection's base_url. */
  base: string;
  /** The `api` settings the emulator accepts at `base`. */
  settings: Record<string, unknown>;
}

export interface EmulatorOptions {
  /** The organisation served; the demo organisation by default. */
  data?: SandboxData;
  /** Sees every request before the API does (to count them, say). */
  observe?: (request: Request) => void;
  /** The loopback port to serve on (an LMS coming back where it was); a free one by default. */
  port?: number;
}

/** The sandbox's emulated API of a vendor; the test fails for a vendor without one. */
export function emulatedApi(vendor: Vendor): EmulatedApi {
  const api = VENDOR_REGISTRY[vendor].sandbox.api;
  if (!api) throw new Error(`the sandbox emulates no ${vendor} API`);
  return api;
}

/** The first course of a kind in the organisation; the test fails when there is none. */
export function courseOfKind(data: SandboxData, kind: string): SandboxData['courses'][number] {
  const course = data.courses.find((candidate) => candidate.kind === kind);
  if (!course) throw new Error(`the demo data has no ${kind}`);
  return course;
}

/** Serves an emulated vendor API on 127.0.0.1, mounted as the sandbox mounts it, until the test finishes. */
export async function serveEmulator(api: EmulatedApi, options: EmulatorOptions = {}): Promise<ServedEmulator> {
  const data = options.data ?? demoData();
  const { observe } = options;
  const app = express();
  if (observe) {
    app.use((req, _res, next) => {
      observe(req);
      next();
    });
  }
  app.use(
    api.prefix,
    api.router(() => data),
  );
  const server = await listenForTest(app, options.port);
  const base = server.url + api.prefix;
  return { data, url: server.url, base, settings: api.sandboxSettings(base) };
}

/** The hydration clients' HTTP as the hub makes it, with a test user agent; closed when the test finishes. */
export function testLmsHttp(defaultTimeoutMs = 2000): LmsHttp {
  const http = createLmsHttp({ userAgent: 'learnhook-test/1', defaultTimeoutMs });
  onTestFinished(() => http.close());
  return http;
}

/**
 * A vendor's hydration client pointed at its emulated API, served for the test: the emulator's
 * settings with `settings` laid over them.
 */
export async function emulatedClient<Settings>(
  vendorApi: VendorApi<Settings>,
  api: EmulatedApi,
  options: EmulatorOptions & { settings?: Record<string, unknown> } = {},
) {
  const emulator = await serveEmulator(api, options);
  const settings = vendorApi.settingsSchema.parse({ ...emulator.settings, ...options.settings });
  return { ...emulator, client: vendorApi.createClient(settings, testLmsHttp()) };
}

/** Every item of a paged list (LmsApiClient.listUsers / listCourses), and how many pages it took. */
export async function readWholeList<T>(list: (cursor: string | null) => Promise<ListPage<T>>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const page: ListPage<T> = await list(cursor);
    pages++;
    items.push(...page.items);
    cursor = page.next;
  } while (cursor !== null);
  return { items, pages };
}

/** Some of `items`, spread evenly from first to last: a sample to compare one by one within an LMS's rate limit. */
export function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, index) => items[Math.round((index * (items.length - 1)) / (count - 1))]).filter((item) => item !== undefined);
}

/**
 * The errors `count` simultaneous lookups meet at the real sandbox LMS (its server, its rate limit)
 * through a client `connect` makes for the vendor's emulated API at `base`: the 429s an API
 * client must turn into retryable errors carrying Retry-After. One lookup goes first, alone, so a
 * client that fetches a token does so before the burst.
 */
export async function sandboxRefusals(
  vendor: Vendor,
  connect: (base: string) => { user(id: string): Promise<unknown> },
  count: number,
): Promise<LmsApiError[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `learnhook-${vendor}-`));
  const logger = createLogger({ level: 'silent' });
  const lms = await startSandboxLms({ data: await openLmsData(path.join(dir, 'lms.json'), logger), port: 0, host: '127.0.0.1', logger });
  onTestFinished(async () => {
    await lms.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const base = lms.apiBase(vendor);
  if (!base) throw new Error(`the sandbox serves no ${vendor} API`);
  const client = connect(base);
  await client.user('1');
  const results = await Promise.allSettled(Array.from({ length: count }, () => client.user('1')));
  return results.flatMap((result) => {
    if (result.status === 'fulfilled') return [];
    if (result.reason instanceof LmsApiError) return [result.reason];
    throw result.reason;
  });
}

/** There was a refusal, and every one is a 429 the hydrator retries after the Retry-After it carries. */
export function expectRetryableThrottles(refused: readonly LmsApiError[]): void {
  expect(refused.length).toBeGreaterThan(0);
  for (const error of refused) {
    expect(error).toBeInstanceOf(LmsApiError);
    expect(error).toMatchObject({ status: 429 });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(isRetryable(error)).toBe(true);
  }
}
