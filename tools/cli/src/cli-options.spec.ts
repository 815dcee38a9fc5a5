import { IMPORT_DEFAULTS, resolveImportOptions, UsageError } from './cli-options';

describe('resolveImportOptions', () => {
  it('applies the defaults', () => {
    expect(resolveImportOptions('leads.csv', {}, {})).toEqual({
      file: 'leads.csv',
      ingestUrl: IMPORT_DEFAULTS.ingestUrl,
      out: IMPORT_DEFAULTS.out,
      concurrency: 16,
      timeoutSeconds: 300,
    });
  });

  it('takes the flag over INGEST_URL and INGEST_URL over the default', () => {
    expect(resolveImportOptions('a.csv', { ingestUrl: 'http://flag:1/' }, { INGEST_URL: 'http://env:2' }).ingestUrl).toBe('http://flag:1');
    expect(resolveImportOptions('a.csv', {}, { INGEST_URL: 'https://env:2/' }).ingestUrl).toBe('https://env:2');
    expect(resolveImportOptions('a.csv', {}, { INGEST_URL: '  ' }).ingestUrl).toBe(IMPORT_DEFAULTS.ingestUrl);
  });

  it.each([
    [{ concurrency: '0' }, '--concurrency'],
    [{ concurrency: '2.5' }, '--concurrency'],
    [{ timeout: '-1' }, '--timeout'],
    [{ timeout: 'soon' }, '--timeout'],
    [{ ingestUrl: 'localhost:3000' }, '--ingest-url'],
    [{ ingestUrl: 'ftp://host' }, '--ingest-url'],
  ])('rejects %j naming %s', (flags, name) => {
    expect(() => resolveImportOptions('a.csv', flags, {})).toThrow(UsageError);
    expect(() => resolveImportOptions('a.csv', flags, {})).toThrow(name);
  });

  it('names INGEST_URL when the bad URL came from the environment', () => {
    expect(() => resolveImportOptions('a.csv', {}, { INGEST_URL: 'nope' })).toThrow('INGEST_URL');
  });
});
