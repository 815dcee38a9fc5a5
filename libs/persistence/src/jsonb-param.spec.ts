import { jsonbArrayParam } from './jsonb-param';

describe('jsonbArrayParam', () => {
  const decoded = (param: Buffer) => ({ version: param[0], json: param.subarray(1).toString('utf8') });

  it('is the version byte 1, then the rows as one JSON array in UTF-8', () => {
    const rows = [{ name: 'Zoë 😀 "quoted" \\ back\nline', n: 1, nested: { list: [1, null] } }, { name: null }];
    const { version, json } = decoded(jsonbArrayParam(rows));
    expect(version).toBe(1);
    expect(json).toBe(JSON.stringify(rows));
  });

  it('writes an empty array, and a row JSON cannot represent as null', () => {
    expect(decoded(jsonbArrayParam([])).json).toBe('[]');
    expect(decoded(jsonbArrayParam([undefined, 1])).json).toBe('[null,1]');
  });
});
