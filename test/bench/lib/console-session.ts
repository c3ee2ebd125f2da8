import { ownerThrough } from '@learnhook/core/testing';
import type { HubChild } from './processes.ts';
import { waitUntil } from './stats.ts';

/** The owner, created through the setup link the hub printed: the cookie header of a signed-in browser. */
export async function signedIn(hub: HubChild): Promise<string> {
  const linkIn = () => hub.output.map((line) => /https?:\/\/\S+\/setup\/\S+/.exec(line)?.[0]).find(Boolean);
  // The banner with the link follows the line the hub is seen ready on.
  await waitUntil(() => linkIn() !== undefined, 5_000, 50);
  const link = linkIn();
  if (!link) throw new Error('the hub printed no setup link');
  return (await ownerThrough(hub.url, link)).cookie();
}
