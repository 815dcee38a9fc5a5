import { Pipeline } from '../support/pipeline';
import { waitFor } from '../support/wait-for';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * The provider goes away (5xx for everything) or the account runs dry (402): the enricher
 * pauses instead of burning retries or failing leads, alerts the operators through the
 * notifier, keeps probing, and picks up where it stopped when the provider is back.
 */
describe('provider outage and exhausted credits', () => {
  const alerts = new WebhookReceiver();
  let pipeline: Pipeline;

  beforeAll(async () => {
    await alerts.start();
    pipeline = new Pipeline({
      extraEnv: {
        enricher: {
          NETROWS_BREAKER_VOLUME_THRESHOLD: '3',
          NETROWS_BREAKER_ERROR_PERCENTAGE: '50',
          NETROWS_BREAKER_WINDOW_MS: '20000',
          NETROWS_BREAKER_RESET_TIMEOUT_MS: '1500',
          NETROWS_ACCOUNT_PROBE_INTERVAL_MS: '1500',
        },
        notifier: { NOTIFIER_ALERT_WEBHOOK_URL: alerts.url, NOTIFIER_ALERT_WEBHOOK_SECRET: alerts.secret },
      },
    });
    await pipeline.start();
  }, 180_000);

  afterAll(async () => {
    await pipeline?.stop();
    await alerts.stop();
  }, 120_000);

  const alertsOf = (type: string) => alerts.received.filter((a) => (a.body as unknown as { type: string }).type === type);

  async function statuses(ids: string[]): Promise<string[]> {
    const rows: Array<{ status: string }> = await pipeline.env.db.query(`SELECT status FROM leads WHERE id = ANY($1)`, [ids]);
    return rows.map((r) => r.status);
  }

  async function postLeads(tag: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const { status, json } = await pipeline.postLead({ linkedin_url: `https://www.linkedin.com/in/${tag}-${i}/` });
      expect(status).toBe(202);
      ids.push(json.id as string);
    }
    return ids;
  }

  it('opens the circuit, pauses, dead-letters nothing, and resumes when the provider is back', async () => {
    pipeline.simulator.setFaults({ forceStatus: 503 });
    let ids: string[] = [];
    try {
      ids = await postLeads('outage', 6);
      await waitFor(() => alertsOf('ops.breaker_open').length === 1, { timeoutMs: 60_000, what: 'breaker-open alert' });
      // While open, only trial calls reach the provider; wait for two of them, then look.
      const atOpen = pipeline.simulator.stats().totals.calls;
      await waitFor(() => pipeline.simulator.stats().totals.calls >= atOpen + 2, { timeoutMs: 60_000, what: 'two trial calls' });
      expect(await statuses(ids)).toEqual(ids.map(() => 'received'));
      const dead: Array<{ n: string }> = await pipeline.env.db.query(`SELECT count(*) AS n FROM leads WHERE status = 'dead_lettered'`);
      expect(Number(dead[0].n)).toBe(0);
      // Far fewer calls than 6 leads × 4 attempts: the circuit stopped the retries.
      expect(pipeline.simulator.stats().totals.calls).toBeLessThan(12);
    } finally {
      pipeline.simulator.setFaults({ forceStatus: null });
    }
    await waitFor(async () => (await statuses(ids)).every((s) => s === 'enriched'), {
      timeoutMs: 90_000,
      intervalMs: 250,
      what: 'every lead enriched after the outage',
    });
    await waitFor(() => alertsOf('ops.provider_recovered').length >= 1, { timeoutMs: 30_000, what: 'recovery alert' });
  }, 240_000);

  it('pauses on 402 and alerts, fails no lead, and resumes when credits are back', async () => {
    pipeline.simulator.setFaults({ forceStatus: 402 });
    const before = alertsOf('ops.provider_recovered').length;
    const chargedBefore = pipeline.simulator.stats().totals.creditsCharged;
    let ids: string[] = [];
    try {
      ids = await postLeads('credits', 3);
      await waitFor(() => alertsOf('ops.provider_out_of_credits').length === 1, { timeoutMs: 60_000, what: 'out-of-credits alert' });
      const alert = alertsOf('ops.provider_out_of_credits')[0];
      expect(alert.headers['webhook-id']).toEqual(expect.any(String));
      const atAlert = pipeline.simulator.stats().totals.calls;
      await waitFor(() => pipeline.simulator.stats().totals.calls >= atAlert + 2, { timeoutMs: 60_000, what: 'two probe calls' });
      expect(await statuses(ids)).toEqual(ids.map(() => 'received'));
      // Refused calls cost nothing, and nothing else was bought meanwhile.
      expect(pipeline.simulator.stats().totals.creditsCharged).toBe(chargedBefore);
    } finally {
      pipeline.simulator.setFaults({ forceStatus: null });
    }
    await waitFor(async () => (await statuses(ids)).every((s) => s === 'enriched'), {
      timeoutMs: 90_000,
      intervalMs: 250,
      what: 'every lead enriched once credits are back',
    });
    await waitFor(() => alertsOf('ops.provider_recovered').length > before, { timeoutMs: 30_000, what: 'recovery alert' });
    // One alert per state change, not one per lead or per probe.
    expect(alertsOf('ops.provider_out_of_credits')).toHaveLength(1);
  }, 240_000);
});
