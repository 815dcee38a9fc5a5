import { formatPipelineResult, PIPELINE_BENCH_DEFAULTS, runPipelineBench } from '../../tools/bench/pipeline-bench';

/**
 * The pipeline benchmark's quick mode, as CI runs it: correctness only. Timing thresholds on a
 * shared two-core runner would fail for reasons that are not the code's; the figures are
 * checked to be numbers, and every lead to be stored.
 */
describe('bench:pipeline --quick (smoke)', () => {
  it('pushes every lead through the pipeline and reports finite figures', async () => {
    const leads = 1_000;
    const result = await runPipelineBench(
      { ...PIPELINE_BENCH_DEFAULTS, leads, identities: 200, batchSize: 250 },
      {
        brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
        databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/leadpipe',
        redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
      },
    );

    expect(result.stored).toBe(leads);
    expect(result.statuses).toEqual({ enriched: leads });
    expect(result.deadLetters).toBe(0);
    for (const stage of result.stages) {
      expect(stage.count).toBeGreaterThanOrEqual(leads);
      expect(Number.isFinite(stage.sustainedPerSecond) && stage.sustainedPerSecond > 0).toBe(true);
      expect(Number.isFinite(stage.overallPerSecond) && stage.overallPerSecond > 0).toBe(true);
    }
    for (const figure of [
      result.endToEnd.leadsPerSecond,
      result.endToEnd.sustainedLeadsPerSecond,
      ...Object.values(result.latencyMs),
      ...Object.values(result.hopLatencyMs).flatMap((hop) => Object.values(hop)),
    ]) {
      expect(Number.isFinite(figure)).toBe(true);
    }
    expect(result.latencyMs.p50).toBeLessThanOrEqual(result.latencyMs.p99);
    for (const m of result.memory) expect(m.hwm).toBeGreaterThan(0);
    // Every service worked during the measured run, and the split names them.
    for (const service of ['ingest', 'enricher', 'validator', 'notifier']) {
      expect(result.cpu.seconds.find((c) => c.what === service)?.seconds).toBeGreaterThan(0);
    }
    expect(result.cpu.machineBusy).toBeGreaterThan(0);
    const printed = formatPipelineResult(result).join('\n');
    expect(printed).toContain('leads/s');
    expect(printed).not.toMatch(/n\/a|NaN/);
    expect(printed).not.toContain('alone');
  }, 300_000);

  it('measures a stage alone, with two replicas, on its backlog', async () => {
    // Rounds of at most 500: the timed window (after the first round is out) holds several.
    const leads = 2_000;
    const result = await runPipelineBench(
      { ...PIPELINE_BENCH_DEFAULTS, leads, identities: 200, batchSize: 250, replicas: { validator: 2 }, alone: 'validator' },
      {
        brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
        databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/leadpipe',
        redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
      },
    );

    expect(result.stored).toBe(leads);
    expect(result.statuses).toEqual({ enriched: leads });
    expect(result.options.replicas).toEqual({ ingest: 1, enricher: 1, validator: 2, notifier: 1 });
    const alone = result.alone!;
    expect(alone.stage).toBe('validator');
    expect(alone.leads).toBeGreaterThan(0);
    expect(alone.leads).toBeLessThan(leads);
    expect(Number.isFinite(alone.perSecond) && alone.perSecond > 0).toBe(true);
    expect(alone.cpu.seconds.find((c) => c.what === 'validator')?.seconds).toBeGreaterThan(0);
    const printed = formatPipelineResult(result).join('\n');
    expect(printed).toMatch(/^ {2}validator ×2 alone +\d+ leads\/s/m);
    expect(printed).toMatch(/^ {4}validator ×2 +\d/m);
    expect(printed).not.toMatch(/n\/a|NaN/);
  }, 300_000);
});
