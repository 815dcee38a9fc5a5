import { TERMINAL_STATUSES, type TerminalStatus } from './ingest-api.schema';
import type { SubmissionResult } from './lead-submitter';
import { statusOf, type FailedRequest, type RejectedRow } from './tracked-lead';

/** Exit codes of `import` and `follow`; documented in tools/cli/README.md and `--help`. */
export const EXIT_CODES = {
  ok: 0,
  /** Usage errors, an unreadable file, an unreachable ingest, a refused API key, or requests that failed. */
  failure: 1,
  /** Some accepted leads were still not terminal when the timeout passed. */
  pending: 2,
  /**
   * Everything was answered, but not every lead went through: rows ingest rejected as invalid,
   * or leads that ended `dead_lettered`. Both can be acted on (fix the rows, replay the dead letters).
   */
  leadsFailed: 3,
  /** Interrupted with Ctrl-C; what was known is still written. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

export interface ImportSummary {
  /** `import` read and submitted a file; `follow` only followed the leads of a previous output. */
  readonly command: 'import' | 'follow';
  /** False with `--no-wait`: nothing was followed, so no lead counts as pending. */
  readonly followed: boolean;
  readonly rowsRead: number;
  readonly blankRows: number;
  readonly unreadableRecords: readonly string[];
  /** Rows read but never answered because the run stopped (ingest unreachable, Ctrl-C). */
  readonly unanswered: number;
  readonly accepted: number;
  /** Rows ingest refused as invalid (400), in row order. */
  readonly rejected: readonly RejectedRow[];
  /** Rows naming a person who asked to be erased (409 `suppressed`): refused on purpose, like `invalid` leads. */
  readonly suppressed: readonly RejectedRow[];
  readonly failed: readonly FailedRequest[];
  readonly byStatus: Readonly<Record<TerminalStatus, number>>;
  readonly pending: number;
  readonly providerCalls: number;
  /** Batch requests answered while submitting. */
  readonly requests: number;
  readonly submitMs: number;
  readonly elapsedMs: number;
  /** Set when the run stopped early; the message says why. */
  readonly fatal: string | null;
  readonly interrupted: boolean;
}

export interface SummaryInput {
  readonly command?: ImportSummary['command'];
  readonly followed?: boolean;
  readonly submission: SubmissionResult;
  readonly followFailures: readonly FailedRequest[];
  readonly blankRows: number;
  readonly unreadableRecords: readonly string[];
  readonly submitMs: number;
  readonly elapsedMs: number;
  readonly fatal: string | null;
  readonly interrupted: boolean;
}

export function summarise(input: SummaryInput): ImportSummary {
  const { submission } = input;
  const byStatus = Object.fromEntries(TERMINAL_STATUSES.map((s) => [s, 0])) as Record<TerminalStatus, number>;
  let pending = 0;
  let providerCalls = 0;
  for (const lead of submission.accepted) {
    const status = statusOf(lead);
    if ((TERMINAL_STATUSES as readonly string[]).includes(status)) byStatus[status as TerminalStatus] += 1;
    else pending += 1;
    providerCalls += lead.view?.enrichment?.provider_calls ?? 0;
  }
  const rejected = [...submission.rejected].sort((a, b) => a.row - b.row);
  return {
    command: input.command ?? 'import',
    followed: input.followed ?? true,
    rowsRead: submission.sent + input.blankRows + input.unreadableRecords.length,
    blankRows: input.blankRows,
    unreadableRecords: input.unreadableRecords,
    unanswered: submission.sent - submission.accepted.length - submission.rejected.length - submission.failed.length,
    accepted: submission.accepted.length,
    rejected: rejected.filter((row) => row.cause === 'invalid'),
    suppressed: rejected.filter((row) => row.cause === 'suppressed'),
    failed: [...submission.failed, ...input.followFailures].sort((a, b) => a.row - b.row),
    byStatus,
    pending,
    providerCalls,
    requests: submission.requests,
    submitMs: input.submitMs,
    elapsedMs: input.elapsedMs,
    fatal: input.fatal,
    interrupted: input.interrupted,
  };
}

/** The first matching row of the table in tools/cli/README.md, read top to bottom. */
export function exitCodeOf(summary: ImportSummary): ExitCode {
  if (summary.interrupted) return EXIT_CODES.interrupted;
  if (summary.fatal !== null || summary.failed.length > 0) return EXIT_CODES.failure;
  if (summary.followed && summary.pending > 0) return EXIT_CODES.pending;
  if (summary.rejected.length > 0 || summary.byStatus.dead_lettered > 0) return EXIT_CODES.leadsFailed;
  return EXIT_CODES.ok;
}

const EXAMPLES_SHOWN = 5;

export function formatSummary(summary: ImportSummary): string {
  const seconds = summary.elapsedMs / 1000;
  const terminal = summary.accepted - summary.pending;
  const line = (label: string, value: string | number): string => `  ${label.padEnd(22)} ${String(value).padStart(8)}`;
  const examples = <T extends { row: number; reason: string }>(items: readonly T[]): string[] => [
    ...items.slice(0, EXAMPLES_SHOWN).map((item) => `      row ${item.row}: ${item.reason}`),
    ...(items.length > EXAMPLES_SHOWN ? [`      ... and ${items.length - EXAMPLES_SHOWN} more`] : []),
  ];
  const imported = summary.command === 'import';
  const out = [
    imported ? 'Import summary' : 'Follow summary',
    ...(imported
      ? [
          line('rows read', summary.rowsRead),
          ...(summary.blankRows > 0 ? [line('blank rows skipped', summary.blankRows)] : []),
          ...(summary.unreadableRecords.length > 0
            ? [line('unreadable records', summary.unreadableRecords.length), ...summary.unreadableRecords.slice(0, EXAMPLES_SHOWN).map((r) => `      ${r}`)]
            : []),
          ...(summary.unanswered > 0 ? [line('not answered', summary.unanswered)] : []),
          line('accepted', summary.accepted),
          line('rejected by ingest', summary.rejected.length),
          ...examples(summary.rejected),
          ...(summary.suppressed.length > 0 ? [line('suppressed (erased)', summary.suppressed.length), ...examples(summary.suppressed)] : []),
        ]
      : [line('leads in file', summary.accepted)]),
    ...(summary.failed.length > 0 ? [line('failed requests', summary.failed.length), ...examples(summary.failed)] : []),
    ...(summary.followed
      ? [
          ...TERMINAL_STATUSES.map((status) => line(status, summary.byStatus[status])),
          line('still pending', summary.pending),
          line('provider calls', summary.providerCalls),
        ]
      : [line('not followed', summary.pending)]),
    line('elapsed', `${seconds.toFixed(1)}s`),
    ...(imported
      ? [
          line('submit rate', `${rate(summary.accepted + summary.rejected.length + summary.suppressed.length, summary.submitMs)} rows/s`),
          line('batch requests', summary.requests),
        ]
      : []),
    // After `follow`, leads that were terminal in the file would inflate a rate.
    ...(imported && summary.followed ? [line('completion rate', `${rate(terminal, summary.elapsedMs)} leads/s`)] : []),
  ];
  if (summary.interrupted) out.push('Interrupted: leads still pending keep going through the pipeline.');
  if (summary.fatal !== null) out.push(`Stopped early: ${summary.fatal}`);
  return out.join('\n');
}

function rate(count: number, ms: number): string {
  return ms > 0 ? (count / (ms / 1000)).toFixed(1) : '0.0';
}
