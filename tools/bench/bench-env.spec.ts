import { parseEnvPairs, parseReplicas } from './bench-env';

describe('parseReplicas', () => {
  it('reads SERVICE=N pairs, comma-separated or repeated', () => {
    expect(parseReplicas(['enricher=2,validator=3', 'notifier=1'], 6)).toEqual({ enricher: 2, validator: 3, notifier: 1 });
    expect(parseReplicas(undefined, 6)).toEqual({});
  });

  it.each(['validator', 'validator=0', 'validator=7', 'validator=1.5', 'validator=two', 'kafka=2', 'validator=2=3'])('refuses %s, naming it', (arg) => {
    expect(() => parseReplicas([arg], 6)).toThrow(`got ${arg}`);
  });
});

describe('parseEnvPairs', () => {
  it('keeps everything after the first = as the value', () => {
    expect(parseEnvPairs(['A=1', 'PGOPTIONS=-c x=y'])).toEqual({ A: '1', PGOPTIONS: '-c x=y' });
  });

  it('refuses a pair without a name', () => {
    expect(() => parseEnvPairs(['=1'])).toThrow('--env takes NAME=VALUE, got =1');
  });
});
