import { Controller, Get, HttpCode, INestApplication, NotFoundException, Param, Post } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { HealthModule } from './health.module';
import { HttpMetricsInterceptor } from './metrics-http.interceptor';
import { MetricsRegistry } from './metrics.registry';

@Controller('things')
class ThingsController {
  @Post()
  @HttpCode(202)
  create(): { ok: true } {
    return { ok: true };
  }

  @Get(':id')
  find(@Param('id') id: string): never {
    throw new NotFoundException(`thing ${id} not found`);
  }
}

describe('HttpMetricsInterceptor', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [HealthModule.forRoot()],
      controllers: [ThingsController],
      providers: [{ provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor }],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(() => app.close());

  it('times requests by method, route pattern (never the raw URL) and the status sent', async () => {
    await fetch(`${url}/things`, { method: 'POST' });
    await fetch(`${url}/things/1`);
    await fetch(`${url}/things/2`);
    const text = await app.get(MetricsRegistry).getSingleMetricAsString('leadpipe_http_request_duration_seconds');
    expect(text).toContain('leadpipe_http_request_duration_seconds_count{method="POST",route="/things",status="202"} 1');
    expect(text).toContain('leadpipe_http_request_duration_seconds_count{method="GET",route="/things/:id",status="404"} 2');
    expect(text).not.toContain('/things/1');
  });
});
