import { parse, type Options } from 'csv-parse';
import type { Readable } from 'node:stream';
import { hasIdentityColumn, mapLeadColumns, toLeadFieldValues, type LeadColumnMapping, type LeadFieldValues } from '@leadpipe/contracts';

export interface LeadRow {
  /** 1-based position of the record among the data records (header excluded). */
  readonly row: number;
  /** Line of the file the record ends on, for messages a person can act on. */
  readonly line: number;
  readonly input: LeadFieldValues;
}

export interface LeadCsvEvents {
  onHeader?(mapping: LeadColumnMapping, headers: readonly string[]): void;
  /** A record the parser could not read (e.g. a broken quote); the file keeps being read. */
  onUnreadable?(reason: string): void;
  /** A record whose lead cells are all empty; not sent, since ingest could only reject it. */
  onBlank?(row: LeadRow): void;
}

/** Thrown for a file that cannot be imported at all; the CLI reports it as a usage error. */
export class CsvInputError extends Error {
  override readonly name = 'CsvInputError';
}

interface ParsedRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

function isParsedRecord(value: unknown): value is ParsedRecord {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { record?: unknown; info?: { lines?: unknown } };
  return Array.isArray(candidate.record) && typeof candidate.info?.lines === 'number';
}

/** One set of parser options, so {@link countCsvRecords} sees the records {@link readLeadRows} reads. */
function parseOptions(onUnreadable: (reason: string) => void): Options {
  return {
    bom: true,
    info: true,
    // Exports from spreadsheets are ragged and quote loosely; one bad row must not stop the import.
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      onUnreadable(error?.message ?? 'unreadable record');
      return undefined;
    },
  };
}

/**
 * Counts the data records of a CSV (header excluded, unreadable records included): the rows
 * {@link readLeadRows} will report one way or another, as a progress total. Null when the file
 * cannot be read; reading it for real reports why.
 */
export async function countCsvRecords(source: Readable): Promise<number | null> {
  let unreadable = 0;
  const parser = source.pipe(parse(parseOptions(() => (unreadable += 1))));
  source.once('error', (error) => parser.destroy(error));
  let records = 0;
  try {
    for await (const _record of parser as AsyncIterable<unknown>) records += 1;
  } catch {
    return null;
  }
  return Math.max(0, records - 1) + unreadable;
}

/**
 * Streams lead rows out of a CSV whose first line is a header. Reading is pulled by the
 * consumer, so a large file is never held in memory and posting speed sets the read speed.
 */
export async function* readLeadRows(source: Readable, events: LeadCsvEvents = {}): AsyncGenerator<LeadRow> {
  const parser = source.pipe(parse(parseOptions((reason) => events.onUnreadable?.(reason))));
  // A read error (missing file, permissions) does not travel through pipe(); forward it.
  source.once('error', (error) => parser.destroy(error));

  let mapping: LeadColumnMapping | null = null;
  let row = 0;
  for await (const parsed of parser as AsyncIterable<unknown>) {
    if (!isParsedRecord(parsed)) throw new CsvInputError('unexpected record shape from the CSV parser');
    if (mapping === null) {
      mapping = mapLeadColumns(parsed.record);
      if (!hasIdentityColumn(mapping)) {
        throw new CsvInputError(
          `the header has neither an e-mail nor a LinkedIn column (found: ${parsed.record.join(', ') || 'nothing'})`,
        );
      }
      events.onHeader?.(mapping, parsed.record);
      continue;
    }
    row += 1;
    const leadRow: LeadRow = { row, line: parsed.info.lines, input: toLeadFieldValues(mapping, parsed.record) };
    if (Object.keys(leadRow.input).length === 0) {
      events.onBlank?.(leadRow);
      continue;
    }
    yield leadRow;
  }
  if (mapping === null) throw new CsvInputError('the file is empty: expected a header line');
}
