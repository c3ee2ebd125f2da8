/**
 * `npm run bench` (`-- --quick` for the short version): DESIGN §7's measures, issue 8's rows, in
 * order, on this machine, all on loopback, every load bounded in count and time. Prints the table
 * and writes bench-results/latest.json and bench-results/latest.md. A row whose prerequisite is
 * missing says so; a row that breaks is reported as an error and the others still run.
 *
 * Options: --quick, --only=1,2 (run just those rows; prints them, leaves bench-results/ alone).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { machineInfo } from './lib/machine.ts';
import { ROOT } from './lib/processes.ts';
import { markdownReport, type Row, type RowResult, terminalTable, writeResults } from './lib/report.ts';
import { sourceInfo, sourceLine } from './lib/source.ts';
import { backlogRow } from './rows/backlog.ts';
import { ceilingRow } from './rows/ceiling.ts';
import { consoleRow } from './rows/console.ts';
import { endToEndRow } from './rows/end-to-end.ts';
import { fanOutRow } from './rows/fan-out.ts';
import { hydrationRow } from './rows/hydration.ts';
import { ingestRow } from './rows/ingest.ts';
import { ingestWithDeliveryRow } from './rows/ingest-with-delivery.ts';
import { largeHistoryRow } from './rows/large-history.ts';
import { n8nBurstRow, n8nPeerRow } from './rows/n8n.ts';
import { postgresRow } from './rows/postgres.ts';
import { retentionRow } from './rows/retention.ts';

const ROWS: Row[] = [
  ceilingRow,
  ingestRow,
  n8nPeerRow,
  endToEndRow,
  fanOutRow,
  backlogRow,
  n8nBurstRow,
  hydrationRow,
  postgresRow,
  consoleRow,
  retentionRow,
  largeHistoryRow,
  ingestWithDeliveryRow,
];

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
const quick = values.quick ?? false;
const only = values.only ? new Set(values.only.split(',').map(Number)) : null;
const machine = machineInfo();
const startedAt = new Date();
const t0 = performance.now();
const log = (line: string) => process.stdout.write(`${line}\n`);

const source = sourceInfo();
log(
  `learnhook bench${quick ? ' --quick' : ''}: ${machine.cores} × ${machine.cpu}, Node ${machine.node}, load average ${machine.loadAverage1m}; code ${sourceLine(source)}`,
);
if (source?.dirty)
  log('  Every row starts its servers from the working tree: changing core/ or test/bench/ while the bench runs changes what later rows measure.');
const done: RowResult[] = [];
for (const row of ROWS) {
  if (only && !only.has(row.row)) continue;
  log(`[${row.row}/${ROWS.length}] ${row.title} ...`);
  const started = performance.now();
  let result: RowResult;
  try {
    const outcome = await row.run({ quick, done, log });
    result = { row: row.row, title: row.title, target: row.target, ...outcome, seconds: 0 };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    result = {
      row: row.row,
      title: row.title,
      target: row.target,
      status: 'error',
      result: 'n/a',
      verdict: `error: ${message.split('\n')[0] ?? ''}`,
      metrics: {},
      notes: [message],
      seconds: 0,
    };
  }
  result.seconds = Math.round((performance.now() - started) / 100) / 10;
  done.push(result);
  log(`      ${result.result} -> ${result.verdict} (${result.seconds} s)`);
}

const seconds = (performance.now() - t0) / 1000;
const markdown = markdownReport({ rows: done, machine, source: sourceLine(source), quick, startedAt, seconds });
const files = only
  ? null
  : writeResults(
      path.join(ROOT, 'bench-results'),
      { quick, started_at: startedAt.toISOString(), seconds: Math.round(seconds), machine, source, rows: done },
      markdown,
    );
log('');
log(terminalTable(done));
log('');
for (const row of done) for (const note of row.notes) log(`  ${row.row}. ${note}`);
log('');
log(
  files
    ? `Wrote ${path.relative(ROOT, files.json)} and ${path.relative(ROOT, files.markdown)} in ${Math.round(seconds)} s.`
    : `Done in ${Math.round(seconds)} s (--only: bench-results/ left as it was).`,
);
// A broken row fails the run (a missing prerequisite does not); open handles must not hold it.
process.exit(done.some((row) => row.status === 'error') ? 1 : 0);
