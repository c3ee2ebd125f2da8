/**
 * The learnhook Zapier app (DESIGN §5): custom auth against a learnhook hub, a REST-hook trigger
 * per catalog type plus "New LMS Event", the dropdowns they use, and Find User / Find Course.
 * scripts/bundle.mts compiles this file, and what it uses from @learnhook/core, into dist/index.js.
 */
import { type App, version as platformVersion, type Search, type Trigger } from 'zapier-platform-core';
import packageJson from '../package.json' with { type: 'json' };
import { authentication } from './authentication.ts';
import { connectionList, courseList, findCourse, findUser } from './lookups.ts';
import { HOOK_TRIGGERS } from './triggers.ts';

function byKey<T extends { key: string }>(items: readonly T[]): Record<string, T> {
  return Object.fromEntries(items.map((item) => [item.key, item]));
}

const app: App<Record<string, Trigger>, undefined, Record<string, Search>> = {
  version: packageJson.version,
  platformVersion,
  // Every operation reads its inputs through inputText, which treats '' and null as absent, so
  // Zapier's cleaning is not needed, and its check D028 asks for it to be off.
  flags: { cleanInputData: false },
  authentication,
  triggers: byKey<Trigger>([...HOOK_TRIGGERS, courseList, connectionList]),
  searches: byKey<Search>([findUser, findCourse]),
};

export default app;
