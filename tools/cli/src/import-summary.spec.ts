import { emptySubmissionResult } from './lead-submitter';
import { EXIT_CODES, exitCodeOf, formatSummary, summarise, type SummaryInput } from './import-summary';
import type { LeadView } from './ingest-api.schema';
import type { TrackedLead } from './tracked-lead';

function lead(row: number, status: string | null, providerCalls = 0): TrackedLead {
  const view: LeadView | null =
    status === null
      ? null
      : { id: `id-${row}`, status, status_reason: null, reasons: [], score: null, enrichment: { provider: 'netrows', provider_calls: providerCalls } };
  return { row, id: `id-${row}`, input: { email: `p${row}@acme-corp.com` }, view };
}

function input(overrides: Partial<SummaryInput> = {}): SummaryInput {
  const submission = emptySubmissionResult();
  submission.accepted.push(lead(1, 'enriched', 2), lead(2, 'enriched', 3), lead(4, 'not_found', 1), lead(5, 'invalid'), lead(6, 'dead_lettered'));
  submission.rejected.push(...[9, 3, 8, 10, 11, 12].map((row) => ({ row, line: row + 1, reason: `email: bad ${row}` })));
  submission.sent = 11;
  return { submission, followFailures: [], blankRows: 1, unreadableRecords: [], submitMs: 500, elapsedMs: 2_000, fatal: null, interrupted: false, ...overrides };
}

describe('summarise', () => {
  it('counts rows, outcomes and provider calls', () => {
    const summary = summarise(input());
    expect(summary).toMatchObject({
      rowsRead: 12,
      accepted: 5,
      byStatus: { enriched: 2, not_found: 1, invalid: 1, dead_lettered: 1 },
      pending: 0,
      providerCalls: 6,
    });
    expect(exitCodeOf(summary)).toBe(EXIT_CODES.ok);
  });

  it('prints the first rejections in row order and how many more there are', () => {
    const text = formatSummary(summarise(input()));
    expect(text).toContain('rejected by ingest            6');
    expect(text).toContain('      row 3: email: bad 3\n      row 8: email: bad 8');
    expect(text).toContain('... and 1 more');
    expect(text).toMatch(/provider calls\s+6/);
    expect(text).toMatch(/elapsed\s+2\.0s/);
    expect(text).toMatch(/completion rate\s+2\.5 leads\/s/);
  });

  it('exits 2 when leads are still pending', () => {
    const base = input();
    base.submission.accepted.push(lead(13, 'received'), lead(14, null));
    const summary = summarise(base);
    expect(summary.pending).toBe(2);
    expect(formatSummary(summary)).toMatch(/still pending\s+2/);
    expect(exitCodeOf(summary)).toBe(EXIT_CODES.pending);
  });

  it('exits 1 when a request failed or ingest went away, even with leads pending', () => {
    const failed = input({ followFailures: [{ row: 1, reason: 'GET failed: HTTP 500' }] });
    failed.submission.accepted.push(lead(13, 'received'));
    expect(exitCodeOf(summarise(failed))).toBe(EXIT_CODES.failure);
    const fatal = summarise(input({ fatal: 'cannot reach ingest at http://127.0.0.1:3000: connect ECONNREFUSED' }));
    expect(exitCodeOf(fatal)).toBe(EXIT_CODES.failure);
    expect(formatSummary(fatal)).toContain('Stopped early: cannot reach ingest at http://127.0.0.1:3000');
  });

  it('does not count ingest rejections as a failure of the tool', () => {
    expect(exitCodeOf(summarise(input()))).toBe(EXIT_CODES.ok);
  });
});
