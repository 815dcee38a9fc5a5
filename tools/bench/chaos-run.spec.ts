import type { Purchase } from '../netrows-simulator/src';
import { type FaultRecord, parseFaults, personIdentity, repeatPurchases } from './chaos-run';

const charge = (endpoint: Purchase['endpoint'], identifier: string, at: number, credits = 1, delivered = true): Purchase => ({
  endpoint,
  identifier,
  key: 'k',
  status: 200,
  credits,
  at,
  delivered,
});

const fault = (name: FaultRecord['fault'], startedAt: number, endedAt: number): FaultRecord => ({
  fault: name,
  startedAt,
  endedAt,
  downMs: endedAt - startedAt,
  drainMs: 0,
  acceptedAtEnd: 0,
  acceptedDuring: 0,
  backlogAtEnd: 0,
  deadLetteredAfter: 0,
});

describe('personIdentity', () => {
  it('reads the profile username from a URL or as sent, in any case, and keeps e-mails apart', () => {
    expect(personIdentity({ endpoint: 'profileByUrl', identifier: 'https://www.linkedin.com/in/Ada-L/?trk=x' })).toBe('in:ada-l');
    expect(personIdentity({ endpoint: 'profile', identifier: 'ada-l' })).toBe('in:ada-l');
    expect(personIdentity({ endpoint: 'reverseLookup', identifier: 'Ada@Acme.com' })).toBe('email:ada@acme.com');
  });
});

describe('repeatPurchases', () => {
  const faults = [fault('kill-enricher', 100, 200), fault('redis-restart', 500, 600)];

  it('counts the charges after the first per person, by the fault window they fell in, or as following an answer never received', () => {
    const report = repeatPurchases(
      [
        charge('profile', 'a', 10),
        charge('profileByUrl', 'https://www.linkedin.com/in/A/', 150), // during the kill
        charge('profile', 'a', 550), // during the Redis restart
        charge('profile', 'b', 50),
        charge('profile', 'b', 60), // baseline
        charge('profile', 'c', 300, 1, false), // timed out at the client
        charge('profile', 'c', 700), // after the Redis restart
        charge('profile', 'd', 250),
        charge('companyDetails', 'acme', 10),
        charge('companyDetails', 'acme', 20), // companies are not people
        charge('profile', 'e', 10),
        charge('profile', 'e', 20, 0), // not charged
      ],
      faults,
      0,
    );
    expect(report).toEqual({
      identities: 3,
      extra: 4,
      byWindow: { 'during kill-enricher': 1, 'during redis-restart': 1, baseline: 1 },
      afterUndelivered: 1,
      examples: [
        { identity: 'in:a', charges: [{ at: 0, delivered: true }, { at: 0.2, delivered: true }, { at: 0.6, delivered: true }] },
        { identity: 'in:b', charges: [{ at: 0.1, delivered: true }, { at: 0.1, delivered: true }] },
        { identity: 'in:c', charges: [{ at: 0.3, delivered: false }, { at: 0.7, delivered: true }] },
      ],
    });
  });

  it('places a charge between two faults after the earlier one', () => {
    expect(repeatPurchases([charge('profile', 'a', 10), charge('profile', 'a', 300)], faults, 0).byWindow).toEqual({ 'after kill-enricher': 1 });
  });
});

describe('parseFaults', () => {
  it('expands kill-services and all, and refuses unknown names', () => {
    expect(parseFaults('kill-services,redis-restart')).toEqual(['kill-ingest', 'kill-enricher', 'kill-validator', 'kill-notifier', 'redis-restart']);
    expect(parseFaults('all')).toHaveLength(9);
    expect(() => parseFaults('kill-all')).toThrow(/unknown fault\(s\) kill-all/);
  });
});
