import { parseEnvPairs } from './bench-env';

describe('parseEnvPairs', () => {
  it('keeps everything after the first = as the value', () => {
    expect(parseEnvPairs(['A=1', 'PGOPTIONS=-c x=y'])).toEqual({ A: '1', PGOPTIONS: '-c x=y' });
  });

  it('refuses a pair without a name', () => {
    expect(() => parseEnvPairs(['=1'])).toThrow('--env takes NAME=VALUE, got =1');
  });
});
