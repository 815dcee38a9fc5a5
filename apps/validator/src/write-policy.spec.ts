import { effectiveInput, provenanceOf, StoredInput } from './write-policy';

const stored = (overrides: Partial<StoredInput> = {}): StoredInput => ({
  email: 'jane@acme.com',
  first_name: 'Jane',
  last_name: null,
  company_domain: 'acme.com',
  linkedin_url: null,
  received_at: new Date('2026-03-01T10:00:00Z'),
  ...overrides,
});

describe('effectiveInput (what a person entered is never overwritten)', () => {
  it.each([
    ['a new lead: the event input', undefined, { email: 'a@b.com', firstName: 'A' }, { email: 'a@b.com', firstName: 'A' }],
    ['a known lead: the stored input, whatever the event says', stored(), { email: 'other@x.com', firstName: 'Other', lastName: 'Name' }, { email: 'jane@acme.com', firstName: 'Jane', lastName: undefined, companyDomain: 'acme.com', linkedinUrl: undefined }],
    ['a stored empty field is not filled from the event', stored({ linkedin_url: null }), { email: 'jane@acme.com', linkedinUrl: 'https://www.linkedin.com/in/jane/' }, { email: 'jane@acme.com', firstName: 'Jane', lastName: undefined, companyDomain: 'acme.com', linkedinUrl: undefined }],
  ])('%s', (_, row, incoming, expected) => {
    expect(effectiveInput(row, incoming)).toEqual(expected);
  });
});

describe('provenanceOf', () => {
  const base = {
    input: { email: 'jane@acme.com', firstName: 'Jane', companyDomain: '' },
    receivedAt: new Date('2026-03-01T10:00:00Z'),
    provider: 'netrows',
    fetchedAt: '2026-03-01T10:00:05Z',
    person: { title: 'VP of Sales', seniority: 'vp', region: null, skills: [] as string[] },
    company: { name: 'Acme', industry: 'Software Development' },
  };

  it('marks input fields as input at their receipt and provider fields as the provider at the fetch time, leaving out empty ones', () => {
    expect(provenanceOf(base)).toEqual({
      email: { source: 'input', fetched_at: '2026-03-01T10:00:00.000Z' },
      first_name: { source: 'input', fetched_at: '2026-03-01T10:00:00.000Z' },
      'person.title': { source: 'netrows', fetched_at: '2026-03-01T10:00:05.000Z' },
      'person.seniority': { source: 'netrows', fetched_at: '2026-03-01T10:00:05.000Z' },
      'company.name': { source: 'netrows', fetched_at: '2026-03-01T10:00:05.000Z' },
      'company.industry': { source: 'netrows', fetched_at: '2026-03-01T10:00:05.000Z' },
    });
  });

  it('on a refresh: provider fields take the new fetch time and drop what the new answer lacks; input entries stay', () => {
    const first = provenanceOf(base);
    const refreshed = provenanceOf({ ...base, fetchedAt: '2026-06-01T00:00:00Z', company: { name: 'Acme' } });
    expect(refreshed.email).toEqual(first.email);
    expect(refreshed['company.name']).toEqual({ source: 'netrows', fetched_at: '2026-06-01T00:00:00.000Z' });
    expect(refreshed).not.toHaveProperty('company.industry');
  });

  it('has only input entries for a lead the provider did not find', () => {
    expect(Object.values(provenanceOf({ ...base, person: null, company: null })).every((p) => p.source === 'input')).toBe(true);
  });
});
