import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * What a reliability scenario tried and what came of it, printed as one line per scenario and
 * appended to bench-results/reliability.jsonl, so a CI log shows the figures and not only a pass.
 * Figures are counts (events sent / acknowledged / delivered / lost, inputs tried / 5xx seen);
 * `tried` says in words what was done.
 */
export interface ScenarioReport {
  scenario: string;
  tried: string;
  figures: Record<string, number>;
}

const RESULTS_FILE = path.resolve(import.meta.dirname, '../../bench-results/reliability.jsonl');

export function report(entry: ScenarioReport): void {
  const figures = Object.entries(entry.figures)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  process.stdout.write(`[reliability] ${entry.scenario}: ${entry.tried} -> ${figures}\n`);
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  appendFileSync(RESULTS_FILE, `${JSON.stringify({ at: new Date().toISOString(), ...entry })}\n`);
}
