import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self time by function
 * and by area (a package, a core source file, node's internals, GC), as shares of the busy time.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
}

export interface Hotspot {
  name: string;
  share: number;
}

export interface ProfileSummary {
  file: string;
  busySamples: number;
  functions: Hotspot[];
  areas: Hotspot[];
  /** learnhook's own functions by inclusive time (themselves and what they call). */
  core: Hotspot[];
}

function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[1] ?? url.slice(5)}`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  const core = url.indexOf('/core/src/');
  if (core >= 0) return `core/src/${url.slice(core + '/core/src/'.length)}`;
  return path.basename(url);
}

const IDLE = new Set(['(idle)', '(program)']);

export function summarizeProfile(file: string, top = 10): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const hits = new Map<number, number>();
  if (profile.samples?.length) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const node of profile.nodes) hits.set(node.id, node.hitCount ?? 0);
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, count] of hits) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (IDLE.has(functionName)) continue;
    busy += count;
    const area = areaOf(url, functionName);
    const name = `${functionName || '(anonymous)'} ${url ? `${area}:${lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + count);
    areas.set(area, (areas.get(area) ?? 0) + count);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame?.url.includes('/core/src/') || !frame.functionName) continue;
      const key = `${frame.functionName} (${areaOf(frame.url, frame.functionName).replace('core/src/', '')})`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + count);
    }
  }
  const rank = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, count]) => ({ name, share: busy ? count / busy : 0 }));
  return { file, busySamples: busy, functions: rank(functions), areas: rank(areas), core: rank(inclusive) };
}

/** The newest .cpuprofile in a folder, or null. */
export function newestProfile(directory: string): string | null {
  try {
    const files = readdirSync(directory)
      .filter((name) => name.endsWith('.cpuprofile'))
      .sort();
    const last = files[files.length - 1];
    return last ? path.join(directory, last) : null;
  } catch {
    return null;
  }
}

export const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
