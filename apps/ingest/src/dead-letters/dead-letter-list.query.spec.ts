import { encodeDeadLetterCursor, parseDeadLetterId, parseDeadLetterListQuery, parseReplayAllBody, parseReplayQuery } from './dead-letter-list.query';

const LEAD = '0b6c8f5e-3f0e-4c3b-9a4f-2f1d6c1e9a10';

describe('parseDeadLetterListQuery', () => {
  it('defaults to every dead letter, 50 a page', () => {
    expect(parseDeadLetterListQuery({})).toEqual({ ok: true, value: { stages: [], codes: [], leadId: undefined, replayed: undefined, limit: 50, after: undefined } });
  });

  it('reads comma-separated stages and codes, the lead, replayed and a cursor it gave out', () => {
    const cursor = encodeDeadLetterCursor({ failedAt: '2026-11-30 10:00:00.123456+00', id: LEAD });
    expect(
      parseDeadLetterListQuery({ stage: 'enricher, validator', code: 'provider_rejected,unparseable', lead_id: LEAD.toUpperCase(), replayed: 'false', limit: '10', cursor }),
    ).toEqual({
      ok: true,
      value: {
        stages: ['enricher', 'validator'],
        codes: ['provider_rejected', 'unparseable'],
        leadId: LEAD,
        replayed: false,
        limit: 10,
        after: { failedAt: '2026-11-30 10:00:00.123456+00', id: LEAD },
      },
    });
  });

  it('names every bad parameter and why', () => {
    const parsed = parseDeadLetterListQuery({ code: 'provider_rejected,nope', stage: 'Enricher!', lead_id: '42', replayed: 'yes', limit: '0', colour: 'red' });
    expect(parsed.ok).toBe(false);
    const errors = parsed.ok ? [] : parsed.errors;
    expect(errors.map((e) => e.field).sort()).toEqual(['code', 'colour', 'lead_id', 'limit', 'replayed', 'stage']);
    expect(errors).toContainEqual({ field: 'colour', reason: 'unknown query parameter' });
    expect(errors).toContainEqual({ field: 'lead_id', reason: 'must be a UUID' });
    expect(errors).toContainEqual({ field: 'replayed', reason: 'must be true or false' });
    expect(errors).toContainEqual({ field: 'limit', reason: 'must be between 1 and 500' });
    expect(errors.find((e) => e.field === 'code')?.reason).toMatch(/^must be one or more of schema_invalid, unparseable, /);
  });

  it.each([['garbage'], [Buffer.from('["x","y"]').toString('base64url')], [Buffer.from('["2026-11-30", "not-a-uuid"]').toString('base64url')]])(
    'refuses a cursor it did not give out: %s',
    (cursor) => {
      expect(parseDeadLetterListQuery({ cursor })).toEqual({ ok: false, errors: [{ field: 'cursor', reason: 'is not a cursor this API gave out' }] });
    },
  );

  it('refuses a parameter given twice', () => {
    expect(parseDeadLetterListQuery({ stage: ['enricher', 'validator'] })).toEqual({ ok: false, errors: [{ field: 'stage', reason: 'must be given once' }] });
  });
});

describe('parseReplayAllBody', () => {
  it('takes no body, or an empty object, as every dead letter', () => {
    expect(parseReplayAllBody(undefined)).toEqual({ ok: true, value: { stages: [], codes: [], leadId: undefined } });
    expect(parseReplayAllBody({})).toEqual({ ok: true, value: { stages: [], codes: [], leadId: undefined } });
  });

  it('takes filters as strings or arrays', () => {
    expect(parseReplayAllBody({ stage: 'enricher', code: ['retries_exhausted', 'provider_rejected'], lead_id: LEAD })).toEqual({
      ok: true,
      value: { stages: ['enricher'], codes: ['retries_exhausted', 'provider_rejected'], leadId: LEAD },
    });
  });

  it('names unknown fields and bad values', () => {
    const parsed = parseReplayAllBody({ code: 7, force: true, lead_id: 'x' });
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.errors.map((e) => e.field).sort()).toEqual(['code', 'force', 'lead_id']);
    expect(parsed.ok ? [] : parsed.errors).toContainEqual({ field: 'force', reason: 'unknown field' });
  });

  it('refuses a body that is not an object', () => {
    expect(parseReplayAllBody(['enricher'])).toEqual({ ok: false, errors: [{ field: '(body)', reason: 'must be a JSON object' }] });
  });

  it('refuses an empty list', () => {
    expect(parseReplayAllBody({ code: [] }).ok).toBe(false);
  });
});

describe('parseReplayQuery and parseDeadLetterId', () => {
  it('reads force', () => {
    expect(parseReplayQuery({})).toEqual({ ok: true, value: { force: false } });
    expect(parseReplayQuery({ force: 'true' })).toEqual({ ok: true, value: { force: true } });
    expect(parseReplayQuery({ force: '1' })).toEqual({ ok: false, errors: [{ field: 'force', reason: 'must be true or false' }] });
    expect(parseReplayQuery({ dry_run: 'true' })).toEqual({ ok: false, errors: [{ field: 'dry_run', reason: 'unknown query parameter' }] });
  });

  it('wants a UUID', () => {
    expect(parseDeadLetterId(LEAD.toUpperCase())).toEqual({ ok: true, value: LEAD });
    expect(parseDeadLetterId('replay')).toEqual({ ok: false, errors: [{ field: 'id', reason: 'must be a UUID' }] });
  });
});
