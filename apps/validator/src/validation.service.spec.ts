import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { ValidatorEnv } from '@leadpipe/config';
import type { LeadEnriched, LeadValidated } from '@leadpipe/contracts';
import type { ConsumedEvent, EventPublisher } from '@leadpipe/kafka';
import { consumedEvent } from '../../../test/support/consumed-event';
import { DEFAULT_SCORING_RULES } from './scoring-rules';
import { snakeCase, ValidationService } from './validation.service';
import type { StoredInput } from './write-policy';

type Written = Record<string, unknown>;

/**
 * The service against a fake transaction that records the rows it writes and the events it
 * publishes. A round is written by one statement that takes its rows as one JSON array (lead,
 * history and enrichment columns in one object per lead); with one event per batch, the
 * statement's row is the first element. The fake's statement reports the lead as written (no
 * newer enrichment stored); what PostgreSQL does with the row is covered by
 * test/integration/validator-storage.int-spec.ts.
 */
/** A data source whose every transaction runs on `tx` (opening and ending it are not recorded). */
const fakeDataSource = (tx: object): DataSource =>
  ({ createQueryRunner: () => ({ manager: tx, query: async () => [], release: async () => undefined }) }) as unknown as DataSource;

function harness(storedLeads: Array<StoredInput & { id: string }> = []) {
  const queries: Array<{ sql: string; rows: Written[] }> = [];
  const tx = {
    query: async (sql: string, params: unknown[] = []) => {
      if (sql.startsWith('SELECT id, email')) return storedLeads;
      if (!sql.includes('jsonb_to_recordset')) return [];
      // The round's rows: one jsonb parameter in PostgreSQL's binary format (a version byte, then the JSON).
      const rows = JSON.parse((params[0] as Buffer).subarray(1).toString('utf8')) as Written[];
      queries.push({ sql, rows });
      return rows.map((row) => ({ id: row.id }));
    },
  };
  const db = fakeDataSource(tx);
  const published: LeadValidated[] = [];
  const publisher = { publish: async (_topic: string, events: Array<{ value: LeadValidated }>) => void published.push(...events.map((e) => e.value)) } as unknown as EventPublisher;
  const config = { VALIDATOR_STALE_AFTER_DAYS: 365 } as ValidatorEnv;
  const service = new ValidationService(db, publisher, config, DEFAULT_SCORING_RULES);
  const row = () => queries.find((q) => q.sql.includes('INSERT INTO leads'))!.rows[0];
  return { service, published, leadRow: row, enrichmentRow: row, historyRow: row };
}

const enriched = (overrides: Partial<LeadEnriched> = {}): ConsumedEvent<LeadEnriched> =>
  consumedEvent('leads.enriched.v1', {
    schemaVersion: 1,
    eventId: randomUUID(),
    leadId: randomUUID(),
    identityKey: 'email:jane@acme.com',
    receivedAt: new Date().toISOString(),
    lead: { email: 'jane@acme.com', firstName: 'Jane', lastName: 'Doe' },
    outcome: 'enriched',
    reasons: [],
    provider: 'netrows',
    providerCalls: 2,
    enrichedAt: new Date().toISOString(),
    person: {
      username: 'jane-doe',
      firstName: 'JANE',
      lastName: 'doe',
      geo: { city: 'Munich, Bavaria', countryCode: 'de' },
      position: [{ companyName: 'Acme', title: 'vp of SALES', start: { year: 2021, month: 4, day: 0 }, end: { year: 0, month: 0, day: 0 } }],
      skills: [{ name: 'B2B' }, { name: 'b2b' }],
    },
    company: { name: 'Acme', website: 'https://www.acme.com', staffCount: 180, industries: ['Computer Software'] },
    ...overrides,
  });

describe('ValidationService', () => {
  it('stores the normalised person and company and scores a clean lead with no reasons', async () => {
    const { service, published, leadRow, enrichmentRow } = harness();
    await service.validateBatch([enriched()]);
    expect(published[0]).toMatchObject({ status: 'enriched', reasons: [], score: expect.any(Number) });
    expect(published[0].summary).toMatchObject({ fullName: 'Jane Doe', title: 'VP of Sales', country: 'DE', linkedinUrl: 'https://www.linkedin.com/in/jane-doe/' });
    expect(leadRow().status_reason).toBeNull();
    expect(enrichmentRow()!.person).toMatchObject({ seniority: 'vp', job_function: 'sales', city: 'Munich', region: 'Bavaria', skills: ['B2B'] });
    expect(enrichmentRow()!.company).toMatchObject({ industry: 'Software Development', size_band: '51-200' });
  });

  it('keeps an enriched lead enriched and scored when it is flagged, with the flags as reasons', async () => {
    const { service, published, leadRow } = harness();
    const event = enriched();
    event.value.lead = { email: 'jane@beta.io', firstName: 'John', lastName: 'Smith' };
    await service.validateBatch([event]);
    expect(published[0]).toMatchObject({ status: 'enriched', score: expect.any(Number) });
    expect(published[0].reasons).toEqual([
      'domain_mismatch: e-mail beta.io, company website acme.com',
      "name_mismatch: the profile's first and last name differs from the lead's",
    ]);
    expect(leadRow().status_reason).toBeNull();
    expect(leadRow().reasons).toEqual(published[0].reasons);
  });

  it('does not count a disposable address as a work e-mail', async () => {
    const work = harness();
    await work.service.validateBatch([enriched()]);
    const disposable = harness();
    const event = enriched();
    event.value.lead = { email: 'jane@mailinator.com', firstName: 'Jane' };
    await disposable.service.validateBatch([event]);
    expect(disposable.published[0].reasons).toContain('disposable_email: mailinator.com hands out throw-away addresses');
    expect(disposable.published[0].score).toBe(work.published[0].score! - 10);
  });

  it('gives a not-found lead its reason first, then its flags', async () => {
    const { service, published, leadRow } = harness();
    await service.validateBatch([enriched({ outcome: 'not_found', person: null, company: null, lead: { email: 'jane@gmail.com' } })]);
    expect(published[0]).toMatchObject({ status: 'not_found', score: null });
    expect(published[0].reasons).toEqual(['free-mail address: the provider cannot look it up', 'free_mail: gmail.com is a free-mail provider']);
    expect(leadRow().status_reason).toBe('free-mail address: the provider cannot look it up');
  });

  it('makes a lead without a usable identity invalid with its reasons', async () => {
    const { service, published, leadRow } = harness();
    await service.validateBatch([enriched({ outcome: 'not_found', person: null, company: null, lead: { email: 'jane-at-acme', linkedinUrl: 'https://www.linkedin.com/company/acme/' } })]);
    expect(published[0]).toMatchObject({
      status: 'invalid',
      score: null,
      reasons: ['email: not a valid e-mail address', 'linkedinUrl: not a LinkedIn profile URL', 'no usable identity: a valid email or LinkedIn profile URL is required'],
    });
    expect(leadRow().status_reason).toBe('email: not a valid e-mail address');
  });

  it('flags stale provider data and a profile without a current position', async () => {
    const { service, published } = harness();
    const event = enriched({ enrichedAt: new Date(Date.now() - 400 * 86_400_000).toISOString() });
    (event.value.person as { position: Array<{ end: object }> }).position[0].end = { year: 2019, month: 2, day: 0 };
    await service.validateBatch([event]);
    expect(published[0].status).toBe('enriched');
    expect(published[0].reasons).toEqual([
      'no_current_position: the profile lists no current position',
      'stale_data: provider data fetched 400 days ago; the last position ended 2019-02',
    ]);
  });

  it('stores the score breakdown beside the score', async () => {
    const { service, published, leadRow } = harness();
    await service.validateBatch([enriched()]);
    const breakdown = leadRow().score_breakdown as Array<{ criterion: string; points: number }>;
    expect(breakdown.map((p) => p.criterion)).toEqual(['seniority', 'company_size', 'industry', 'country', 'work_email', 'current_position']);
    expect(breakdown.reduce((a, p) => a + p.points, 0)).toBe(published[0].score);
  });

  it('records the raw answer in the history and the provenance of every stored field', async () => {
    const { service, enrichmentRow, historyRow } = harness();
    const event = enriched();
    await service.validateBatch([event]);
    expect(historyRow()).toMatchObject({
      id: event.value.leadId,
      looked: true,
      event_id: event.value.eventId,
      provider: 'netrows',
      outcome: 'enriched',
      enriched_at: event.value.enrichedAt,
      raw_person: event.value.person,
      raw_company: event.value.company,
    });
    const provenance = enrichmentRow()!.provenance as Record<string, { source: string; fetched_at: string }>;
    expect(provenance.email).toEqual({ source: 'input', fetched_at: event.value.receivedAt });
    expect(provenance['person.title']).toEqual({ source: 'netrows', fetched_at: event.value.enrichedAt });
    expect(provenance['company.industry']).toEqual({ source: 'netrows', fetched_at: event.value.enrichedAt });
    expect(provenance).not.toHaveProperty('company_domain');
  });

  it('judges a known lead on its stored input, not on the input a later event carries', async () => {
    const stored = { email: 'jane@acme.com', first_name: 'Jane', last_name: 'Doe', company_domain: null, linkedin_url: null, received_at: new Date('2026-01-02T03:04:05Z') };
    const event = enriched();
    event.value.lead = { email: 'jane@gmail.com', firstName: 'Someone', lastName: 'Else' };
    const { service, published, enrichmentRow } = harness([{ id: event.value.leadId, ...stored }]);
    await service.validateBatch([event]);
    expect(published[0].reasons).toEqual([]);
    expect(published[0].summary.email).toBe('jane@acme.com');
    const provenance = enrichmentRow()!.provenance as Record<string, { fetched_at: string }>;
    expect(provenance.email.fetched_at).toBe('2026-01-02T03:04:05.000Z');
  });

  it('stores no answer, no enrichment and no provenance for a disqualified lead', async () => {
    const { service, published, leadRow } = harness();
    await service.validateBatch([enriched({ outcome: 'disqualified', reasons: ['blocked domain: acme.com'], person: null, company: null, providerCalls: 0 })]);
    expect(published[0]).toMatchObject({ status: 'invalid', reasons: ['blocked domain: acme.com'] });
    expect(leadRow()).toMatchObject({ looked: false, raw_person: null, raw_company: null, person: null, company: null, provenance: null });
  });

  it('passes on nothing for an event older than the stored enrichment, and says so', async () => {
    // The lead's guarded upsert writes nothing (a newer enrichment is stored), so the statement returns no id.
    const event = enriched();
    const queries: string[] = [];
    const tx = {
      query: async (sql: string) => {
        queries.push(sql);
        return [];
      },
    };
    const db = fakeDataSource(tx);
    const sent: unknown[] = [];
    const publisher = { publish: async (_topic: string, events: unknown[]) => void sent.push(...events) } as unknown as EventPublisher;
    const outcomes = await new ValidationService(db, publisher, { VALIDATOR_STALE_AFTER_DAYS: 365 } as ValidatorEnv, DEFAULT_SCORING_RULES).validateBatch([event]);
    expect(outcomes[0]).toMatchObject({ status: 'skipped' });
    expect(sent).toEqual([]);
    expect(queries.filter((q) => q.includes('INSERT INTO enrichment_history'))).toHaveLength(1);
  });
});

describe('snakeCase', () => {
  it('stores the normalised fields under the API’s snake_case names, the same on every call', () => {
    const person = { fullName: 'Jane Doe', countryCode: 'DE', title: 'VP', yearsInRoleTotal: 3 };
    const expected = { full_name: 'Jane Doe', country_code: 'DE', title: 'VP', years_in_role_total: 3 };
    expect(snakeCase(person)).toEqual(expected);
    expect(snakeCase(person)).toEqual(expected);
    expect(snakeCase({})).toEqual({});
  });
});
