import { IMPORT_DEFAULTS, resolveFollowOptions, resolveImportOptions, UsageError } from './cli-options';

describe('resolveImportOptions', () => {
  it('applies the defaults', () => {
    expect(resolveImportOptions('leads.csv', {}, {})).toEqual({
      file: 'leads.csv',
      ingestUrl: IMPORT_DEFAULTS.ingestUrl,
      out: IMPORT_DEFAULTS.out,
      concurrency: 16,
      batchSize: 200,
      mode: 'wait',
      timeoutSeconds: 300,
    });
  });

  it('follows without a timeout under --follow unless one is given, and not at all under --no-wait', () => {
    expect(resolveImportOptions('a.csv', { follow: true, wait: true }, {})).toMatchObject({ mode: 'follow', timeoutSeconds: null });
    expect(resolveImportOptions('a.csv', { follow: true, timeout: '60' }, {})).toMatchObject({ mode: 'follow', timeoutSeconds: 60 });
    expect(resolveImportOptions('a.csv', { wait: false }, {})).toMatchObject({ mode: 'no-wait' });
  });

  it('refuses --follow with --no-wait, and --timeout with --no-wait', () => {
    expect(() => resolveImportOptions('a.csv', { follow: true, wait: false }, {})).toThrow('--follow and --no-wait contradict each other');
    expect(() => resolveImportOptions('a.csv', { wait: false, timeout: '10' }, {})).toThrow('--timeout has no effect with --no-wait');
  });

  it('takes the flag over INGEST_URL and INGEST_URL over the default', () => {
    expect(resolveImportOptions('a.csv', { ingestUrl: 'http://flag:1/' }, { INGEST_URL: 'http://env:2' }).ingestUrl).toBe('http://flag:1');
    expect(resolveImportOptions('a.csv', {}, { INGEST_URL: 'https://env:2/' }).ingestUrl).toBe('https://env:2');
    expect(resolveImportOptions('a.csv', {}, { INGEST_URL: '  ' }).ingestUrl).toBe(IMPORT_DEFAULTS.ingestUrl);
  });

  it.each([
    [{ concurrency: '0' }, '--concurrency'],
    [{ concurrency: '2.5' }, '--concurrency'],
    [{ batchSize: '0' }, '--batch-size'],
    [{ batchSize: '1001' }, '--batch-size'],
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

describe('resolveFollowOptions', () => {
  it('writes back to the file it reads and waits without a timeout by default', () => {
    expect(resolveFollowOptions('out/enriched-leads.csv', {}, { LEADPIPE_API_KEY: 'lp_key' })).toEqual({
      file: 'out/enriched-leads.csv',
      out: 'out/enriched-leads.csv',
      ingestUrl: IMPORT_DEFAULTS.ingestUrl,
      apiKey: 'lp_key',
      concurrency: 16,
      timeoutSeconds: null,
    });
    expect(resolveFollowOptions('a.csv', { out: 'b.csv', timeout: '5' }, {})).toMatchObject({ out: 'b.csv', timeoutSeconds: 5 });
  });
});
