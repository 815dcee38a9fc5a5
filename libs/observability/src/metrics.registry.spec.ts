import { Test } from '@nestjs/testing';
import { INestApplication } from '@nestjs/common';
import { Counter } from 'prom-client';
import { HealthModule } from './health.module';
import { MetricsRegistry } from './metrics.registry';

describe('metrics through HealthModule', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [HealthModule.forRoot({ service: 'validator' })] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
  });

  afterAll(() => app.close());

  it('serves GET /metrics in the Prometheus text format, every series labelled with the service', async () => {
    new Counter({ name: 'leadpipe_test_things_total', help: 'Things.', registers: [app.get(MetricsRegistry)] }).inc(2);
    const res = await fetch(`${await app.getUrl()}/metrics`);
    expect(res.status).toBe(200);
    // Express reorders the parameters; Prometheus reads them in any order.
    const contentType = res.headers.get('content-type')!.split(/;\s*/);
    expect(contentType[0]).toBe('text/plain');
    expect(contentType).toEqual(expect.arrayContaining(['version=0.0.4', 'charset=utf-8']));
    const text = await res.text();
    expect(text).toContain('leadpipe_test_things_total{service="validator"} 2');
    // Node's default metrics, under their standard names.
    expect(text).toMatch(/^process_cpu_seconds_total\{service="validator"\} /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds\{service="validator"\} /m);
  });

  it('gives each app its own registry, so apps in one process never collide', () => {
    expect(new MetricsRegistry({})).not.toBe(app.get(MetricsRegistry));
    expect(() => new Counter({ name: 'leadpipe_test_things_total', help: 'Things.', registers: [new MetricsRegistry({})] })).not.toThrow();
  });
});
