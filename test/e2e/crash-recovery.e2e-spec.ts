import { Pipeline } from '../support/pipeline';
import { ServiceName } from '../support/service-process';
import { waitFor } from '../support/wait-for';

const TERMINAL = ['enriched', 'not_found', 'invalid', 'dead_lettered'];

/**
 * kill -9 of any one service while leads flow loses none and duplicates none: every lead
 * that got a 202 ends in a terminal state with one row, one enrichment, and (when it scores
 * high) one notification with one delivery id.
 */
describe('crash recovery: kill -9 and restart of each service while leads flow', () => {
  const pipeline = new Pipeline({ scoreThreshold: 50 });

  beforeAll(async () => {
    await pipeline.start();
    // Work in flight at the moment of the kill, not only queued work.
    pipeline.simulator.setFaults({ latencyMs: 20 });
  }, 180_000);

  afterAll(async () => {
    await pipeline.stop();
  }, 120_000);

  async function postAll(tag: string, count: number, onAccepted: (n: number) => Promise<void>): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const email = `crash.${tag}.${i}@victim-${i % 7}.com`;
      const response = await pipeline.postLead({ email, first_name: 'Crash', last_name: `Test${i}` }).catch(() => null);
      if (!response) {
        // Ingest itself is down: the client got no 202, so nothing was promised.
        await waitFor(async () => (await fetch(`${pipeline.ingestUrl}/health/live`)).ok, { timeoutMs: 60_000, what: 'ingest back' });
        continue;
      }
      if (response.status === 202) {
        ids.push(response.json.id as string);
        await onAccepted(ids.length);
      }
    }
    return ids;
  }

  const cases: Array<[ServiceName, 'SIGKILL' | 'SIGTERM']> = [
    ['enricher', 'SIGKILL'],
    ['validator', 'SIGKILL'],
    ['notifier', 'SIGKILL'],
    ['ingest', 'SIGKILL'],
    ['enricher', 'SIGTERM'],
  ];

  it.each(cases)(
    'loses and duplicates nothing when %s gets %s',
    async (name, signal) => {
      const service = pipeline.service(name);
      const tag = `${name}-${signal.toLowerCase()}`;
      let restart: Promise<void> | undefined;
      const ids = await postAll(tag, 40, async (accepted) => {
        if (accepted === 12) {
          if (signal === 'SIGKILL') await service.kill();
          // A graceful stop drains within the grace period and exits cleanly.
          else expect(await service.stop()).toBe(0);
          restart = service.start();
          if (name === 'ingest') await restart;
        }
      });
      await restart;
      expect(ids.length).toBeGreaterThanOrEqual(30);

      await waitFor(
        async () => {
          const rows: Array<{ n: string }> = await pipeline.env.db.query(
            `SELECT count(*) AS n FROM leads WHERE id = ANY($1) AND status = ANY($2)`,
            [ids, TERMINAL],
          );
          return Number(rows[0].n) === ids.length;
        },
        { timeoutMs: 120_000, intervalMs: 250, what: `all ${ids.length} leads terminal after killing ${name}` },
      );

      // One row per accepted lead, nothing else with this tag, one enrichment each.
      const leads: Array<{ n: string }> = await pipeline.env.db.query(`SELECT count(*) AS n FROM leads WHERE email LIKE $1`, [
        `crash.${tag}.%`,
      ]);
      expect(Number(leads[0].n)).toBe(ids.length);
      const enrichments: Array<{ n: string }> = await pipeline.env.db.query(
        `SELECT count(*) AS n FROM enrichments WHERE lead_id = ANY($1)`,
        [ids],
      );
      expect(Number(enrichments[0].n)).toBe(ids.length);
      const statuses: Array<{ status: string }> = await pipeline.env.db.query(`SELECT status FROM leads WHERE id = ANY($1)`, [ids]);
      expect(statuses.every((s) => s.status === 'enriched')).toBe(true);

      // Every high scorer announced once: one notification row, one delivery id on the wire.
      const high: Array<{ id: string }> = await pipeline.env.db.query(`SELECT id FROM leads WHERE id = ANY($1) AND score >= 50`, [ids]);
      await waitFor(
        async () => {
          const sent: Array<{ n: string }> = await pipeline.env.db.query(
            `SELECT count(*) AS n FROM notifications WHERE lead_id = ANY($1) AND status = 'sent'`,
            [ids],
          );
          return Number(sent[0].n) === high.length;
        },
        { timeoutMs: 60_000, what: 'notifications sent' },
      );
      for (const { id } of high) {
        const deliveries = new Set(pipeline.webhooks.forLead(id).map((w) => w.id));
        expect(deliveries.size).toBe(1);
      }
      const low = ids.filter((id) => !high.some((h) => h.id === id));
      for (const id of low) expect(pipeline.webhooks.forLead(id)).toHaveLength(0);
    },
    240_000,
  );
});
