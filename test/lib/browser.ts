import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';

/** Debian's Chromium (DESIGN §1): playwright-core drives it; `npx playwright install` cannot download browsers here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const SCREENSHOTS_DIR = path.resolve(import.meta.dirname, '../console/screenshots');

/**
 * The flags checked on this machine (shared notes, console.md). Without the background-networking
 * ones Chromium keeps opening outbound connections that the closed network refuses, and slows down.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the console tests cannot run here, or null when they can. */
export function chromiumUnavailable(): string | null {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return null;
  } catch {
    const install = 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium';
    return `${CHROMIUM_PATH} is missing; install Debian's Chromium as root: ${install} (.ci/run does this)`;
  }
}

export interface ConsoleBrowser {
  /** The first person's browser context (the persistent profile). */
  context: BrowserContext;
  /** A new tab in the first context. */
  newPage(): Promise<Page>;
  /** Another person on another computer: a context with its own cookies, in the same browser. */
  newContext(): Promise<BrowserContext>;
  /** Writes a full-page PNG to test/console/screenshots/<name>.png and answers its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/** Chromium on a fresh temporary profile, removed again by close(). */
export async function launchBrowser(): Promise<ConsoleBrowser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'learnhook-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  const others: BrowserContext[] = [];
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  return {
    context,
    newPage: () => context.newPage(),
    async newContext() {
      const browser = context.browser();
      if (!browser) throw new Error('playwright gave the persistent context no browser to open another context in');
      const other = await browser.newContext();
      others.push(other);
      return other;
    },
    async screenshot(page, name) {
      const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      try {
        for (const other of others) await other.close();
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A describe block with one browser for the whole file, skipped (with how to install Chromium in
 * its name) where Chromium is missing, so a machine without it never passes these tests silently.
 */
export function describeInBrowser(name: string, body: (browser: () => ConsoleBrowser) => void): void {
  const unavailable = chromiumUnavailable();
  if (unavailable) console.warn(`skipping the console browser tests: ${unavailable}`);
  describe.skipIf(unavailable !== null)(unavailable ? `${name} (skipped: ${unavailable})` : name, () => {
    let browser: ConsoleBrowser | undefined;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(() => browser?.close());
    body(() => {
      if (!browser) throw new Error('the browser is not running yet; use it inside a test or hook');
      return browser;
    });
  });
}

/** The page's title heading, which every console page has once. */
export const title = (page: Page) => page.getByRole('heading', { level: 1 });

/** The request a redirect chain started with. */
function firstOf(request: Request): Request {
  const from = request.redirectedFrom();
  return from ? firstOf(from) : request;
}

/** Clicks a button that submits a form and answers the status of the page it ends on (after the redirect a success answers with). */
export async function submit(page: Page, button: Locator): Promise<number> {
  const landed = page.waitForResponse(
    (response) => response.request().resourceType() === 'document' && !response.headers().location && firstOf(response.request()).method() === 'POST',
  );
  const loaded = page.waitForEvent('load');
  await button.click();
  const [response] = await Promise.all([landed, loaded]);
  return response.status();
}

/** The owner, created in the browser through the hub's one-time setup link: answers the status of the page it lands on. */
export async function createOwner(page: Page, setupLink: string, owner: { email: string; password: string }): Promise<number> {
  await page.goto(setupLink);
  await page.getByLabel('Email').fill(owner.email);
  await page.getByLabel('Password', { exact: true }).fill(owner.password);
  await page.getByLabel('Password again').fill(owner.password);
  return submit(page, page.getByRole('button', { name: 'Create owner account' }));
}
