import { ownerThrough, runCli } from '@learnhook/core/testing';
import type { HubChild } from './processes.ts';

/**
 * The owner, created through a setup link `learnhook setup-link` printed beside the hub (its piped
 * stdout is a service's, which gets no link): the cookie header of a signed-in browser.
 */
export async function signedIn(hub: HubChild): Promise<string> {
  const printed = await runCli(['setup-link'], { env: { LEARNHOOK_DATA: hub.dataFile, LEARNHOOK_PUBLIC_URL: hub.url } });
  const link = /https?:\/\/\S+\/setup\/\S+/.exec(printed.stdout)?.[0];
  if (!link) throw new Error(`learnhook setup-link printed no link: ${printed.stderr}`);
  return (await ownerThrough(hub.url, link)).cookie();
}
