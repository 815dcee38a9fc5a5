import { parseConsumerStage, parseReplicas } from './pipeline-bench';

describe('parseReplicas', () => {
  it('reads SERVICE=N pairs, comma-separated or repeated', () => {
    expect(parseReplicas(['enricher=2,validator=3', 'notifier=1'])).toEqual({ enricher: 2, validator: 3, notifier: 1 });
    expect(parseReplicas(undefined)).toEqual({});
  });

  it.each(['validator', 'validator=0', 'validator=7', 'validator=1.5', 'validator=two', 'kafka=2', 'validator=2=3'])('refuses %s, naming it', (arg) => {
    expect(() => parseReplicas([arg])).toThrow(`got ${arg}`);
  });
});

describe('parseConsumerStage', () => {
  it('takes a consumer stage, and nothing when not given', () => {
    expect(parseConsumerStage('validator')).toBe('validator');
    expect(parseConsumerStage(undefined)).toBeUndefined();
  });

  it('refuses ingest, which no stage feeds', () => {
    expect(() => parseConsumerStage('ingest')).toThrow('--alone takes one of enricher, validator, notifier, got ingest');
  });
});
