import { cachedN8n, N8N_BIN, N8N_MISSING } from '../lib/n8n.ts';
import type { Row, RowResult } from '../lib/report.ts';

/**
 * Rows 3 and 7 need a real n8n (its own Webhook node as the peer; a small n8n as a burst target).
 * Without one at N8N_BIN they say so instead of failing. With one, they still only say so: driving
 * n8n (test/helpers/n8n.ts starts one and creates workflows) is the next step for these rows.
 */
function needsN8n(): Omit<RowResult, 'row' | 'title' | 'target' | 'seconds'> {
  const found = cachedN8n();
  return {
    status: 'skipped',
    result: 'n/a',
    verdict: found ? `skipped: n8n found (${found}), but this row does not drive it yet` : N8N_MISSING,
    metrics: { n8n_bin: N8N_BIN, n8n_found: found !== null },
    notes: [],
  };
}

export const n8nPeerRow: Row = {
  row: 3,
  title: "Peer: same load on n8n's Webhook node",
  target: 'learnhook / n8n >= 100x',
  run: async () => needsN8n(),
};

export const n8nBurstRow: Row = {
  row: 7,
  title: 'Burst into n8n',
  target: 'n8n not buried (adaptive in-flight)',
  run: async () => needsN8n(),
};
