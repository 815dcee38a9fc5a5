import { PassThrough, Readable } from 'node:stream';
import { CsvImportError } from './csv-import.error';
import { CsvRecord, readCsvRecords } from './csv-records';

async function collect(source: Readable, maxRecordBytes?: number): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  for await (const record of readCsvRecords(source, maxRecordBytes)) records.push(record);
  return records;
}

async function failureOf(source: Readable, maxRecordBytes?: number): Promise<{ error: CsvImportError; records: CsvRecord[] }> {
  const records: CsvRecord[] = [];
  try {
    for await (const record of readCsvRecords(source, maxRecordBytes)) records.push(record);
  } catch (error) {
    if (error instanceof CsvImportError) return { error, records };
    throw error;
  }
  throw new Error('expected the records to end with a CsvImportError');
}

describe('readCsvRecords', () => {
  it('reads a messy export: BOM, CRLF, quoted commas and newlines, stray quotes, blank lines, ragged rows', async () => {
    const csv = ['\ufeffE-mail,First Name,Notes', 'ada@acme-corp.com,Ada,"met at expo, call back"', '', 'zoe@bluepeak.io,Zoë', 'o@acme-corp.com,O"Brien,"two\nlines"'].join('\r\n');
    expect(await collect(Readable.from([csv]))).toEqual([
      { cells: ['E-mail', 'First Name', 'Notes'], line: 1 },
      { cells: ['ada@acme-corp.com', 'Ada', 'met at expo, call back'], line: 2 },
      { cells: ['zoe@bluepeak.io', 'Zoë'], line: 4 },
      { cells: ['o@acme-corp.com', 'O"Brien', 'two\nlines'], line: 6 },
    ]);
  });

  it('reads records split anywhere across chunks, multi-byte characters included', async () => {
    const bytes = Buffer.from('email,first_name\nj@acme.es,José\nz@acme.de,Zoë\n');
    const chunks = [...bytes].map((byte) => Buffer.from([byte]));
    expect((await collect(Readable.from(chunks))).map((r) => r.cells)).toEqual([
      ['email', 'first_name'],
      ['j@acme.es', 'José'],
      ['z@acme.de', 'Zoë'],
    ]);
  });

  it('ends with unreadable_csv at a quote never closed, naming the row', async () => {
    const { error } = await failureOf(Readable.from(['email,first_name\na@acme.com,Ann\nb@acme.com,"Bo\nc@acme.com,Cy\n']));
    expect(error.code).toBe('unreadable_csv');
    expect(error.message).toMatch(/^row 2: Quote Not Closed/);
  });

  it('names the header when the header itself cannot be read', async () => {
    const { error } = await failureOf(Readable.from(['"email,first_name\na@acme.com,Ann\n']));
    expect(error.message).toMatch(/^the header: Quote Not Closed/);
  });

  it('does not let one record grow past the record size limit', async () => {
    const source = Readable.from(
      (function* () {
        yield 'email,notes\na@acme.com,fine\nb@acme.com,"starts a value that never ends\n';
        for (let i = 0; i < 1_000; i++) yield 'x'.repeat(1_000);
      })(),
    );
    const { error } = await failureOf(source, 64 * 1024);
    expect(error.code).toBe('unreadable_csv');
    expect(error.message).toMatch(/^row 2: Max Record Size/);
  });

  it('ends with the error that broke the source', async () => {
    const source = new PassThrough();
    source.write('email\na@acme.com\n');
    setImmediate(() => source.destroy(new CsvImportError('byte_limit', 'too big')));
    const { error } = await failureOf(source);
    expect(error).toEqual(new CsvImportError('byte_limit', 'too big'));
  });

  it('never yields the unfinished last line of a source that broke off', async () => {
    const source = new PassThrough();
    const records = readCsvRecords(source);
    // Cut mid-line: "john@acme.co" would pass as an e-mail address, but it is not what was sent.
    source.write('email\njane@acme.com\njohn@acme.co');
    expect((await records.next()).value).toEqual({ cells: ['email'], line: 1 });
    expect((await records.next()).value).toEqual({ cells: ['jane@acme.com'], line: 2 });
    source.destroy(new CsvImportError('client_disconnected', 'gone'));
    await expect(records.next()).rejects.toEqual(new CsvImportError('client_disconnected', 'gone'));
  });

  it('calls a source that ended early a broken upload', async () => {
    const source = new PassThrough();
    source.write('email\na@acme.com\n');
    setImmediate(() => source.destroy());
    const { error } = await failureOf(source);
    expect(error.code).toBe('client_disconnected');
  });

  it('reads nothing from an empty source', async () => {
    expect(await collect(Readable.from([]))).toEqual([]);
  });
});
