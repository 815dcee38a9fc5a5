import { CsvError, parse } from 'csv-parse';
import { finished, type Readable } from 'node:stream';
import { CsvImportError } from './csv-import.error';

/** One record of the file as the parser read it. */
export interface CsvRecord {
  readonly cells: string[];
  /** Line of the file the record ends on (quoted values may span lines). */
  readonly line: number;
}

/**
 * Longest record read, in bytes. Far above any real lead row, but it bounds what one record can
 * hold: an unclosed quote would otherwise pull the rest of the file into a single value.
 */
export const MAX_RECORD_BYTES = 1024 * 1024;

interface ParsedRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/**
 * Streams the records of a CSV (header first) out of `source`. Reading is pulled: while the
 * consumer awaits, the parser's small buffers fill and `source` is paused, so memory does not
 * depend on the file's size.
 *
 * Parsing is forgiving where exports are sloppy (a BOM, stray quotes inside values, ragged
 * rows, blank lines are all read); what cannot be read at all (a quote never closed, a record
 * over {@link MAX_RECORD_BYTES}) ends the stream with `unreadable_csv`, since everything after
 * such a point is inside one value. Values are not trimmed here: {@link toLeadFieldValues} does it.
 */
export async function* readCsvRecords(source: Readable, maxRecordBytes = MAX_RECORD_BYTES): AsyncGenerator<CsvRecord> {
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: maxRecordBytes,
  });
  // pipe() does not forward a source's failure (a disconnect, a size limit): the parser must end with it.
  // finished() also reports a source that failed before this started listening.
  const stopWatching = finished(source, { writable: false }, (error) => {
    if (error) parser.destroy(error);
  });
  source.pipe(parser);
  try {
    for await (const parsed of parser as AsyncIterable<ParsedRecord>) {
      yield { cells: parsed.record, line: parsed.info.lines };
    }
  } catch (error) {
    if (error instanceof CsvError) {
      // `records` counts the records read before the failing one, header included: it is the failing data row.
      const where = Number(error.records) > 0 ? `row ${Number(error.records)}` : 'the header';
      throw new CsvImportError('unreadable_csv', `${where}: ${error.message}`, { cause: error });
    }
    if (error instanceof CsvImportError) throw error;
    throw new CsvImportError('client_disconnected', `the upload broke off: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    stopWatching();
    source.unpipe(parser);
    parser.destroy();
  }
}
