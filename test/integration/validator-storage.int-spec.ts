import { randomUUID } from 'node:crypto';
import { validatorEnvSchema, loadConfig, ValidatorEnv } from '@leadpipe/config';
import type { LeadEnriched, LeadValidated } from '@leadpipe/contracts';
import type { ConsumedEvent, EventPublisher } from '@leadpipe/kafka';
import { HistoryRetentionService } from '../../apps/validator/src/history-retention.service';
import { DEFAULT_SCORING_RULES } from '../../apps/validator/src/scoring-rules';
import { ValidationService } from '../../apps/validator/src/validation.service';
import { consumedEvent } from '../support/consumed-event';
import { TestEnv } from '../support/test-env';

/**
 * The validator's storage on real PostgreSQL with the real migrations: the service runs in this
 * process against the suite's own database, with a publisher that records what it would send.
 */
describe('validator storage: idempotency, write policy, fetch-time guard and history retention', () => {
  const env = new TestEnv();
  let config: ValidatorEnv;
  let service: ValidationService;
  const published: LeadValidated[] = [];
  const publisher = {
    publish: async (_topic: string, events: Array<{ value: LeadValidated }>) => void published.push(...events.map((e) => e.value)),
  } as unknown as EventPublisher;

  beforeAll(async () => {
    await env.setUp();
    config = loadConfig(validatorEnvSchema, env.serviceEnv({ VALIDATOR_HISTORY_RETENTION_DAYS: '30' }));
    service = new ValidationService(env.db, publisher, config, DEFAULT_SCORING_RULES);
  }, 60_000);

  afterAll(async () => {
    await env.dispose();
  }, 60_000);

  const leadId = randomUUID();
  const receivedAt = '2026-11-01T09:00:00.000Z';

  const enriched = (at: string, title: string, staffCount: number, lead: LeadEnriched['lead']): ConsumedEvent<LeadEnriched> =>
    consumedEvent(env.topic('leadEnriched'), {
      schemaVersion: 1,
      eventId: randomUUID(),
      leadId,
      identityKey: 'email:jane@acme-storage.com',
      receivedAt,
      lead,
      outcome: 'enriched',
      reasons: [],
      provider: 'netrows',
      providerCalls: 2,
      enrichedAt: at,
      person: {
        username: 'jane-doe-storage',
        firstName: 'Jane',
        lastName: 'Doe',
        geo: { city: 'Munich, Germany' },
        position: [{ companyName: 'Acme', title, start: { year: 2020, month: 1, day: 0 }, end: { year: 0, month: 0, day: 0 } }],
      },
      company: { name: 'Acme', website: 'https://acme-storage.com', staffCount, industries: ['Computer Software'] },
    });

  const first = enriched('2026-11-01T09:00:05.000Z', 'Software Engineer', 30, { email: 'jane@acme-storage.com', firstName: 'Jane', lastName: 'Doe' });

  type Snapshot = {
    lead: Record<string, unknown>;
    enrichment: Record<string, unknown>;
    history: Array<Record<string, unknown>>;
  };
  const snapshot = async (): Promise<Snapshot> => {
    const leads: Array<Record<string, unknown>> = await env.db.query(
      `SELECT status, score, score_breakdown, email, first_name, last_name, received_at, updated_at FROM leads WHERE id = $1`,
      [leadId],
    );
    const enrichments: Array<Record<string, unknown>> = await env.db.query(
      `SELECT fetched_at, person, company, raw_person, provenance, event_id, updated_at FROM enrichments WHERE lead_id = $1`,
      [leadId],
    );
    const history: Array<Record<string, unknown>> = await env.db.query(
      `SELECT event_id, fetched_at, raw_person->'position'->0->>'title' AS title FROM enrichment_history WHERE lead_id = $1 ORDER BY fetched_at`,
      [leadId],
    );
    expect(leads).toHaveLength(1);
    expect(enrichments).toHaveLength(1);
    return { lead: leads[0], enrichment: enrichments[0], history };
  };

  it('stores an event delivered three times once: one lead, one enrichment, one history row', async () => {
    for (let i = 0; i < 3; i++) expect(await service.validateBatch([first])).toEqual([{ status: 'processed' }]);
    // Twice in one batch, as a rebalance can hand it out.
    expect(await service.validateBatch([first, first])).toEqual([{ status: 'processed' }, { status: 'processed' }]);

    const { lead, enrichment, history } = await snapshot();
    expect(lead).toMatchObject({ status: 'enriched', email: 'jane@acme-storage.com', first_name: 'Jane' });
    expect(lead.score).toBe((lead.score_breakdown as Array<{ points: number }>).reduce((a, p) => a + p.points, 0));
    expect(lead.score_breakdown).toContainEqual({ criterion: 'company_size', value: '11-50', points: 8 });
    expect(history).toEqual([{ event_id: first.value.eventId, fetched_at: new Date(first.value.enrichedAt), title: 'Software Engineer' }]);
    expect(enrichment.provenance).toMatchObject({
      email: { source: 'input', fetched_at: receivedAt },
      'person.title': { source: 'netrows', fetched_at: first.value.enrichedAt },
    });
    expect(published.every((v) => v.eventId === published[0].eventId)).toBe(true);
  });

  it('on a refresh replaces the provider fields, keeps what the person entered, and adds a history row', async () => {
    const refreshed = enriched('2026-11-20T12:00:00.000Z', 'VP of Sales', 5000, { email: 'someone.else@other-storage.com', firstName: 'Someone' });
    expect(await service.validateBatch([refreshed])).toEqual([{ status: 'processed' }]);

    const { lead, enrichment, history } = await snapshot();
    expect(lead).toMatchObject({ email: 'jane@acme-storage.com', first_name: 'Jane', last_name: 'Doe', received_at: new Date(receivedAt) });
    expect(enrichment.person).toMatchObject({ title: 'VP of Sales', seniority: 'vp' });
    expect(enrichment.company).toMatchObject({ size_band: '1001-5000' });
    expect(enrichment.event_id).toBe(refreshed.value.eventId);
    expect(enrichment.provenance).toMatchObject({
      email: { source: 'input', fetched_at: receivedAt },
      first_name: { source: 'input', fetched_at: receivedAt },
      'person.title': { source: 'netrows', fetched_at: refreshed.value.enrichedAt },
      'company.size_band': { source: 'netrows', fetched_at: refreshed.value.enrichedAt },
    });
    expect(lead.score_breakdown).toContainEqual({ criterion: 'seniority', value: 'vp', points: 38 });
    expect(history.map((h) => h.title)).toEqual(['Software Engineer', 'VP of Sales']);
    expect(published[published.length - 1].summary.email).toBe('jane@acme-storage.com');
  });

  it('changes nothing when the older event is redelivered after the refresh, and passes nothing on', async () => {
    const before = await snapshot();
    const sent = published.length;

    expect(await service.validateBatch([first])).toEqual([{ status: 'skipped', reason: 'stale: a newer enrichment of the lead is stored' }]);

    expect(await snapshot()).toEqual(before);
    expect(published).toHaveLength(sent);
  });

  it('purges history rows past retention only, in batches, and leaves the current enrichment alone', async () => {
    const otherLead = randomUUID();
    await env.db.query(
      `INSERT INTO leads (id, identity_key, status, source, received_at, updated_at) VALUES ($1, 'email:old@acme-storage.com', 'enriched', 'api', now(), now())`,
      [otherLead],
    );
    // Five rows recorded 31 to 35 days ago (past the 30 days), one 29 days ago.
    for (const days of [31, 32, 33, 34, 35, 29]) {
      await env.db.query(
        `INSERT INTO enrichment_history (lead_id, event_id, provider, outcome, fetched_at, recorded_at)
         VALUES ($1, gen_random_uuid(), 'netrows', 'not_found', now() - make_interval(days => $2), now() - make_interval(days => $2))`,
        [otherLead, days],
      );
    }
    const retention = new HistoryRetentionService(env.db, config);

    expect(await retention.purge(new Date(), 2)).toBe(5);

    const left: Array<{ lead_id: string; n: number }> = await env.db.query(
      `SELECT lead_id, count(*)::int AS n FROM enrichment_history GROUP BY lead_id ORDER BY lead_id = $1`,
      [otherLead],
    );
    expect(left).toEqual([
      { lead_id: leadId, n: 2 },
      { lead_id: otherLead, n: 1 },
    ]);
    expect(await retention.purge()).toBe(0);
    expect(await env.db.query(`SELECT count(*)::int AS n FROM enrichments WHERE lead_id = $1`, [leadId])).toEqual([{ n: 1 }]);
  });

  it('writes a slice of many leads in multi-row statements, copies of one lead in their order (newer, then an older one that is stale)', async () => {
    const slice = Array.from({ length: 40 }, (_, i) => {
      const event = enriched('2026-11-02T10:00:00.000Z', 'Engineer', 30, { email: `slice.${i}@acme-storage.com`, firstName: 'Slice' });
      return { ...event, value: { ...event.value, leadId: randomUUID(), eventId: randomUUID() } };
    });
    const newer = { ...slice[7], value: { ...slice[7].value, eventId: randomUUID(), enrichedAt: '2026-11-03T10:00:00.000Z' } };
    const older = { ...slice[7], value: { ...slice[7].value, eventId: randomUUID(), enrichedAt: '2026-11-01T10:00:00.000Z' } };
    const outcomes = await service.validateBatch([...slice.slice(0, 7), newer, ...slice.slice(8), older]);

    expect(outcomes.filter((o) => o.status === 'processed')).toHaveLength(40);
    expect(outcomes[40]).toEqual({ status: 'skipped', reason: 'stale: a newer enrichment of the lead is stored' });
    const ids = slice.map((e) => e.value.leadId);
    const [{ leads, enrichments, history }]: Array<{ leads: number; enrichments: number; history: number }> = await env.db.query(
      `SELECT (SELECT count(*)::int FROM leads WHERE id = ANY($1) AND status = 'enriched') AS leads,
              (SELECT count(*)::int FROM enrichments WHERE lead_id = ANY($1)) AS enrichments,
              (SELECT count(*)::int FROM enrichment_history WHERE lead_id = ANY($1)) AS history`,
      [ids],
    );
    expect({ leads, enrichments, history }).toEqual({ leads: 40, enrichments: 40, history: 41 });
    const [kept]: Array<{ event_id: string; email: string }> = await env.db.query(
      `SELECT en.event_id, l.email FROM enrichments en JOIN leads l ON l.id = en.lead_id WHERE en.lead_id = $1`,
      [newer.value.leadId],
    );
    expect(kept).toEqual({ event_id: newer.value.eventId, email: 'slice.7@acme-storage.com' });
  });

  it('stores a disqualified lead and a not-found one in the same statement: the first with no history or enrichment, the second with both', async () => {
    const base = enriched('2026-11-04T10:00:00.000Z', 'Engineer', 30, { email: 'blocked@acme-storage.com' });
    const disqualified = {
      ...base,
      value: { ...base.value, leadId: randomUUID(), eventId: randomUUID(), outcome: 'disqualified' as const, reasons: ['blocked domain'], person: null, company: null, providerCalls: 0 },
    };
    const notFound = {
      ...base,
      value: { ...base.value, leadId: randomUUID(), eventId: randomUUID(), lead: { email: 'nobody@acme-storage.com' }, outcome: 'not_found' as const, person: null, company: null },
    };
    expect(await service.validateBatch([disqualified, notFound])).toEqual([{ status: 'processed' }, { status: 'processed' }]);
    const rows: Array<{ id: string; status: string; status_reason: string; enrichment_outcome: string | null; history: number }> = await env.db.query(
      `SELECT l.id, l.status, l.status_reason, en.outcome AS enrichment_outcome,
              (SELECT count(*)::int FROM enrichment_history h WHERE h.lead_id = l.id) AS history
         FROM leads l LEFT JOIN enrichments en ON en.lead_id = l.id WHERE l.id = ANY($1) ORDER BY l.id = $2 DESC`,
      [[disqualified.value.leadId, notFound.value.leadId], disqualified.value.leadId],
    );
    expect(rows).toEqual([
      { id: disqualified.value.leadId, status: 'invalid', status_reason: 'blocked domain', enrichment_outcome: null, history: 0 },
      { id: notFound.value.leadId, status: 'not_found', status_reason: 'provider has no profile for this identity', enrichment_outcome: 'not_found', history: 1 },
    ]);
  });

  it('compresses the provider answers it stores with LZ4 (migration 1796040800000), in the enrichment and in the history', async () => {
    const base = enriched('2026-11-05T10:00:00.000Z', 'Engineer', 30, { email: 'long.summary@acme-storage.com' });
    // A profile well over the 2 kB at which PostgreSQL compresses a row.
    const summary = Array.from({ length: 120 }, (_, i) => `Led project ${i} for the sales platform team.`).join(' ');
    const big = { ...base, value: { ...base.value, leadId: randomUUID(), eventId: randomUUID(), person: { ...base.value.person!, summary } } };
    expect(await service.validateBatch([big])).toEqual([{ status: 'processed' }]);
    const rows: Array<{ enrichment: string; history: string; summary: string }> = await env.db.query(
      `SELECT pg_column_compression(en.raw_person) AS enrichment, pg_column_compression(h.raw_person) AS history, h.raw_person->>'summary' AS summary
         FROM enrichments en JOIN enrichment_history h ON h.lead_id = en.lead_id WHERE en.lead_id = $1`,
      [big.value.leadId],
    );
    expect(rows).toEqual([{ enrichment: 'lz4', history: 'lz4', summary }]);
    // Every JSON column large enough to be compressed is set to LZ4 (provenance: migration 1796040900000).
    const columns: Array<{ name: string; compression: string }> = await env.db.query(
      `SELECT attrelid::regclass || '.' || attname AS name, attcompression AS compression FROM pg_attribute
        WHERE attrelid IN ('enrichments'::regclass, 'enrichment_history'::regclass) AND atttypid = 'jsonb'::regtype ORDER BY 1`,
    );
    expect(columns).toEqual(
      [
        ...['raw_company', 'raw_person'].map((c) => `enrichment_history.${c}`),
        ...['company', 'person', 'provenance', 'raw_company', 'raw_person'].map((c) => `enrichments.${c}`),
      ].map((name) => ({ name, compression: 'l' })),
    );
  });
});
