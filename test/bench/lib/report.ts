import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MachineInfo } from './machine.ts';

export type RowStatus = 'met' | 'missed' | 'skipped' | 'error';

export interface RowResult {
  row: number;
  title: string;
  status: RowStatus;
  /** The measured values, one short cell. */
  result: string;
  target: string;
  /** "met", "missed by ...", "skipped: ...", "error: ...". */
  verdict: string;
  metrics: Record<string, number | string | boolean | null>;
  /** What limits it, how it was measured, what to change. */
  notes: string[];
  seconds: number;
}

export interface RowContext {
  quick: boolean;
  /** Results of the rows already run (the ingest row needs the ceiling). */
  done: RowResult[];
  log(line: string): void;
}

export interface Row {
  row: number;
  title: string;
  target: string;
  run(context: RowContext): Promise<Omit<RowResult, 'row' | 'title' | 'target' | 'seconds'>>;
}

/** "met", or how far off: "missed by 38% (0.31 of 0.5)". */
export function judge(measured: number, target: number, better: 'higher' | 'lower', unit = ''): { status: RowStatus; verdict: string } {
  if (Number.isNaN(measured)) return { status: 'missed', verdict: 'missed: nothing measured' };
  const ok = better === 'higher' ? measured >= target : measured < target;
  if (ok) return { status: 'met', verdict: 'met' };
  const off = better === 'higher' ? (target - measured) / target : (measured - target) / target;
  const show = (value: number) => `${Number.isInteger(value) ? value : value.toPrecision(3)}${unit}`;
  return { status: 'missed', verdict: `missed by ${Math.round(off * 100)}% (${show(measured)} vs ${show(target)})` };
}

/** Combines several judgements: met only if all are. */
export function judgeAll(parts: Array<{ status: RowStatus; verdict: string; what: string }>): { status: RowStatus; verdict: string } {
  const missed = parts.filter((part) => part.status !== 'met');
  if (missed.length === 0) return { status: 'met', verdict: 'met' };
  return { status: 'missed', verdict: missed.map((part) => `${part.what} ${part.verdict}`).join('; ') };
}

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(rows: RowResult[]): string {
  const lines = ['| # | measure | result | target | verdict |', '|---|---|---|---|---|'];
  for (const row of rows)
    lines.push(`| ${row.row} | ${escapeCell(row.title)} | ${escapeCell(row.result)} | ${escapeCell(row.target)} | ${escapeCell(row.verdict)} |`);
  return lines.join('\n');
}

export function machineLine(machine: MachineInfo): string {
  return `${machine.cores} × ${machine.cpu}, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}; load average ${machine.loadAverage1m} at start`;
}

export function markdownReport(input: { rows: RowResult[]; machine: MachineInfo; source: string; quick: boolean; startedAt: Date; seconds: number }): string {
  const { rows, machine } = input;
  const notes = rows.filter((row) => row.notes.length).map((row) => `- **${row.row}. ${row.title}**: ${row.notes.join(' ')}`);
  return [
    `### Benchmark results (${input.quick ? '`npm run bench -- --quick`' : '`npm run bench`'}, ${input.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${Math.round(input.seconds)} s)`,
    '',
    `Machine: ${machineLine(machine)}. Code: ${input.source}.`,
    '',
    markdownTable(rows),
    '',
    ...(notes.length ? ['Notes:', '', ...notes, ''] : []),
  ].join('\n');
}

/** A plain-text table for the terminal, columns padded to fit. */
export function terminalTable(rows: RowResult[]): string {
  const header = ['#', 'measure', 'result', 'target', 'verdict'];
  const cells = rows.map((row) => [String(row.row), row.title, row.result, row.target, row.verdict]);
  const widths = header.map((title, column) =>
    Math.min(column === 2 || column === 4 ? 70 : 40, Math.max(title.length, ...cells.map((cell) => (cell[column] ?? '').length))),
  );
  const line = (values: string[]) => values.map((value, column) => value.padEnd(widths[column] ?? 0)).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

export function writeResults(directory: string, json: unknown, markdown: string): { json: string; markdown: string } {
  mkdirSync(directory, { recursive: true });
  const files = { json: path.join(directory, 'latest.json'), markdown: path.join(directory, 'latest.md') };
  writeFileSync(files.json, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(files.markdown, markdown);
  return files;
}
