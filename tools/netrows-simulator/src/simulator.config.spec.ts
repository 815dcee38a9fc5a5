import { SimulatorConfigError, simulatorOptionsFromEnv } from './simulator.config';

describe('simulatorOptionsFromEnv', () => {
  it('applies the defaults', () => {
    expect(simulatorOptionsFromEnv({})).toEqual({
      port: 4010,
      host: '127.0.0.1',
      basePath: '/v1',
      rateLimitPerMinute: 100,
      notFoundShare: 0.1,
      apiKeys: [],
      seed: 'netrows-sim',
      faults: { latencyMs: 0, errorRate: 0, timeoutRate: 0 },
    });
  });

  it('reads every variable, treating blanks as unset', () => {
    expect(
      simulatorOptionsFromEnv({
        NETROWS_SIM_PORT: '0',
        NETROWS_SIM_HOST: '0.0.0.0',
        NETROWS_SIM_RATE_LIMIT_PER_MINUTE: '20',
        NETROWS_SIM_NOT_FOUND_SHARE: '0.25',
        NETROWS_SIM_API_KEYS: ' a , b,,',
        NETROWS_SIM_LATENCY_MS: '15',
        NETROWS_SIM_CREDITS: '500',
        NETROWS_SIM_SEED: '',
      }),
    ).toMatchObject({ port: 0, host: '0.0.0.0', rateLimitPerMinute: 20, notFoundShare: 0.25, apiKeys: ['a', 'b'], credits: 500, seed: 'netrows-sim', faults: { latencyMs: 15 } });
  });

  it('fails naming each invalid variable', () => {
    let error: unknown;
    try {
      simulatorOptionsFromEnv({ NETROWS_SIM_PORT: 'http', NETROWS_SIM_NOT_FOUND_SHARE: '1.5' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SimulatorConfigError);
    expect((error as SimulatorConfigError).issues.map((i) => i.variable)).toEqual(['NETROWS_SIM_PORT', 'NETROWS_SIM_NOT_FOUND_SHARE']);
    expect((error as Error).message).toContain('NETROWS_SIM_PORT');
  });
});
