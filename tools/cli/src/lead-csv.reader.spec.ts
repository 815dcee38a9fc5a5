import { Readable } from 'node:stream';
import { countCsvRecords, CsvInputError, readLeadRows, type LeadRow } from './lead-csv.reader';

async function collect(csv: string, events: Parameters<typeof readLeadRows>[1] = {}): Promise<LeadRow[]> {
  const rows: LeadRow[] = [];
  for await (const row of readLeadRows(Readable.from([csv]), events)) rows.push(row);
  return rows;
}

describe('readLeadRows', () => {
  it('reads a messy export: BOM, CRLF, quoted commas, stray spaces, blank lines, ragged rows, unicode', async () => {
    const csv = [
      '\ufeffE-mail, First Name ,LAST-NAME,Website,LinkedIn URL,Notes',
      ' ada@acme-corp.com ,  Ada ,Lovelace,acme-corp.com,,"met at expo, call back"',
      '',
      ',José,"García, Jr.",,https://www.linkedin.com/in/jose-garcia/?utm_source=share ,',
      'zoe@bluepeak.io,Zoë',
      ',,,,,only notes',
      'john@,John,Smith,,,',
    ].join('\r\n');
    const blanks: LeadRow[] = [];
    const rows = await collect(csv, { onBlank: (row) => blanks.push(row) });

    expect(rows).toEqual([
      { row: 1, line: 2, input: { email: 'ada@acme-corp.com', first_name: 'Ada', last_name: 'Lovelace', company_domain: 'acme-corp.com' } },
      {
        row: 2,
        line: 4,
        input: { first_name: 'José', last_name: 'García, Jr.', linkedin_url: 'https://www.linkedin.com/in/jose-garcia/?utm_source=share' },
      },
      { row: 3, line: 5, input: { email: 'zoe@bluepeak.io', first_name: 'Zoë' } },
      // Invalid e-mails are passed on as written: ingest owns validation and reports the reason.
      { row: 5, line: 7, input: { email: 'john@', first_name: 'John', last_name: 'Smith' } },
    ]);
    expect(blanks.map((b) => b.row)).toEqual([4]);
  });

  it('keeps stray quotes inside a value instead of dropping the record', async () => {
    const rows = await collect('email,last_name\na@acme-corp.com,O"Brien\n"b@acme-corp.com" ,Ng\n');
    expect(rows.map((r) => r.input)).toEqual([
      { email: 'a@acme-corp.com', last_name: 'O"Brien' },
      { email: '"b@acme-corp.com"', last_name: 'Ng' },
    ]);
  });

  it('reports a record it cannot read instead of failing the file', async () => {
    const unreadable: string[] = [];
    const csv = 'email,first_name\na@acme-corp.com,Ann\nc@acme-corp.com,"Cy\n';
    const rows = await collect(csv, { onUnreadable: (reason) => unreadable.push(reason) });
    expect(rows.map((r) => r.input.email)).toEqual(['a@acme-corp.com']);
    expect(unreadable).toEqual([expect.stringContaining('Quote Not Closed')]);
  });

  it('rejects a file without an identity column, naming the headers it found', async () => {
    await expect(collect('name,phone\nAda,123\n')).rejects.toThrow(new CsvInputError('the header has neither an e-mail nor a LinkedIn column (found: name, phone)'));
  });

  it('rejects an empty file', async () => {
    await expect(collect('')).rejects.toThrow(CsvInputError);
  });
});

describe('countCsvRecords', () => {
  it('counts every row readLeadRows reports one way or another: leads, blank rows and unreadable records', async () => {
    const csv = ['email,first_name', 'a@acme-corp.com,"Ann, Jr."', ',', '', 'b@acme-corp.com,"Multi', 'line"', 'c@acme-corp.com,"Cy'].join('\n');
    let reported = 0;
    const rows = await collect(csv, { onBlank: () => (reported += 1), onUnreadable: () => (reported += 1) });

    expect(await countCsvRecords(Readable.from([csv]))).toBe(rows.length + reported);
    expect(rows.length + reported).toBe(4);
  });

  it('gives null for a file it cannot read', async () => {
    const failing = new Readable({ read() { this.destroy(new Error('EACCES')); } });
    expect(await countCsvRecords(failing)).toBeNull();
  });
});
