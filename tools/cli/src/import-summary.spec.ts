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
  submission.rejected.push(...[9, 3, 8, 10, 11, 12].map((row) => ({ row, line: row + 1, reason: `email: bad ${row}`, cause: 'invalid' as const })));
  submission.sent = 11;
  return { submission, followFailures: [], blankRows: 1, unreadableRecords: [], submitMs: 500, elapsedMs: 2_000, fatal: null, interrupted: false, ...overrides };
}

/** A run where every lead ended well and no row was rejected. */
function clean(overrides: Partial<SummaryInput> = {}): SummaryInput {
  const base = input(overrides);
  base.submission.rejected.length = 0;
  base.submission.accepted.splice(0, base.submission.accepted.length, lead(1, 'enriched', 2), lead(2, 'not_found', 1), lead(3, 'invalid'));
  base.submission.sent = 3;
  return base;
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

  it('exits 0 when every lead ended, even as not_found or invalid', () => {
    expect(exitCodeOf(summarise(clean()))).toBe(EXIT_CODES.ok);
  });

  it('exits 3 when rows were rejected as invalid or leads were dead-lettered', () => {
    const rejected = clean();
    rejected.submission.rejected.push({ row: 9, line: 10, reason: 'email: bad', cause: 'invalid' });
    expect(exitCodeOf(summarise(rejected))).toBe(EXIT_CODES.leadsFailed);
    const deadLettered = clean();
    deadLettered.submission.accepted.push(lead(4, 'dead_lettered'));
    expect(exitCodeOf(summarise(deadLettered))).toBe(EXIT_CODES.leadsFailed);
  });

  it('lists suppressed rows on their own line and does not fail the run for them', () => {
    const suppressed = clean();
    suppressed.submission.rejected.push({ row: 4, line: 5, reason: 'suppressed: this person asked to be erased', cause: 'suppressed' });
    const summary = summarise(suppressed);
    expect(summary.rejected).toEqual([]);
    expect(formatSummary(summary)).toMatch(/rejected by ingest\s+0\n {2}suppressed \(erased\)\s+1\n {6}row 4: suppressed/);
    expect(exitCodeOf(summary)).toBe(EXIT_CODES.ok);
  });

  it('exits 2 when leads are still pending, before 3', () => {
    const base = input();
    base.submission.accepted.push(lead(13, 'received'), lead(14, null));
    const summary = summarise(base);
    expect(summary.pending).toBe(2);
    expect(formatSummary(summary)).toMatch(/still pending\s+2/);
    expect(exitCodeOf(summary)).toBe(EXIT_CODES.pending);
  });

  it('does not count unfollowed leads as pending under --no-wait', () => {
    const base = clean({ followed: false });
    base.submission.accepted.push(lead(13, null));
    const summary = summarise(base);
    expect(exitCodeOf(summary)).toBe(EXIT_CODES.ok);
    const text = formatSummary(summary);
    expect(text).toMatch(/not followed\s+1/);
    expect(text).not.toContain('still pending');
    expect(text).not.toContain('completion rate');
  });

  it('exits 1 when a request failed or ingest went away, even with leads pending', () => {
    const failed = input({ followFailures: [{ row: 1, reason: 'GET failed: HTTP 500' }] });
    failed.submission.accepted.push(lead(13, 'received'));
    expect(exitCodeOf(summarise(failed))).toBe(EXIT_CODES.failure);
    const fatal = summarise(input({ fatal: 'cannot reach ingest at http://127.0.0.1:3000: connect ECONNREFUSED' }));
    expect(exitCodeOf(fatal)).toBe(EXIT_CODES.failure);
    expect(formatSummary(fatal)).toContain('Stopped early: cannot reach ingest at http://127.0.0.1:3000');
  });

  it('exits 130 when interrupted, whatever else happened', () => {
    expect(exitCodeOf(summarise(input({ interrupted: true, fatal: 'x' })))).toBe(EXIT_CODES.interrupted);
  });
});
