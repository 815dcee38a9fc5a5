import { companyDomainMatches, currentPosition, type NetrowsPerson } from '@leadpipe/netrows';
import { NetrowsDataset } from './dataset';

const dataset = new NetrowsDataset({ seed: 'netrows-sim', notFoundShare: 0 });

/** A spread of slugs: name-like, single-token, numeric-suffixed. */
const slugs = Array.from({ length: 150 }, (_, i) => (i % 3 === 0 ? `user${i}` : i % 3 === 1 ? `anna-smith-${i}` : `m-${i}-x`));
const people = slugs.map((slug) => dataset.person(slug)).filter((p): p is NetrowsPerson => p !== null);

describe('NetrowsDataset people', () => {
  it('is deterministic per identifier and seed', () => {
    const again = new NetrowsDataset({ seed: 'netrows-sim', notFoundShare: 0 });
    expect(again.person('anna-smith-1')).toEqual(dataset.person('anna-smith-1'));
    expect(again.reverseLookup('x.y@acme.com')).toEqual(dataset.reverseLookup('x.y@acme.com'));
    expect(new NetrowsDataset({ seed: 'other', notFoundShare: 0 }).person('anna-smith-1')).not.toEqual(dataset.person('anna-smith-1'));
  });

  it('covers every documented field somewhere', () => {
    const personKeys = new Set(people.flatMap((p) => Object.keys(p)));
    expect([...personKeys].sort()).toEqual(
      ['backgroundImage', 'educations', 'firstName', 'geo', 'headline', 'id', 'isCreator', 'isPremium', 'isTopVoice', 'lastName', 'position', 'profilePicture', 'skills', 'summary', 'urn', 'username'].sort(),
    );
    const geoKeys = new Set(people.flatMap((p) => Object.keys(p.geo ?? {})));
    expect([...geoKeys].sort()).toEqual(['city', 'country', 'countryCode']);
    const educationKeys = new Set(people.flatMap((p) => (p.educations ?? []).flatMap((e) => Object.keys(e))));
    expect([...educationKeys].sort()).toEqual(['activities', 'degree', 'description', 'end', 'fieldOfStudy', 'grade', 'logo', 'schoolId', 'schoolName', 'start', 'url'].sort());
    const positionKeys = new Set(people.flatMap((p) => (p.position ?? []).flatMap((x) => Object.keys(x))));
    expect([...positionKeys].sort()).toEqual(['companyId', 'companyName', 'companyURL', 'companyUsername', 'description', 'end', 'location', 'locationType', 'start', 'title'].sort());
    expect(people.every((p) => typeof p.id === 'number' && p.urn?.startsWith('ACoAA'))).toBe(true);
  });

  it('carries messy real-world values', () => {
    const titles = people.flatMap((p) => (p.position ?? []).map((x) => x.title ?? ''));
    expect(titles.some((t) => t === t.toLowerCase() && /[a-z]/.test(t))).toBe(true);
    expect(titles.some((t) => t === t.toUpperCase() && /[A-Z]/.test(t))).toBe(true);
    expect(titles).toContain('Chief Technology Officer');
    const names = people.flatMap((p) => [p.firstName ?? '', p.lastName ?? '']).join(' ');
    expect(names).toMatch(/[^\x00-\x7f]/);
    expect(people.some((p) => p.geo?.city?.includes(','))).toBe(true);
    expect(people.every((p) => p.geo?.countryCode === undefined || /^[a-z]{2}$/.test(p.geo.countryCode))).toBe(true);
    expect(people.some((p) => p.summary === '' || p.headline === '')).toBe(true);
    expect(people.some((p) => (p.position ?? []).some((x) => x.end?.year === 0))).toBe(true);
    expect(people.some((p) => (p.position ?? []).some((x) => x.end === undefined))).toBe(true);
    expect(people.some((p) => { const n = (p.skills ?? []).map((s) => s.name); return new Set(n).size < n.length; })).toBe(true);
  });

  it('names unicode people from their ASCII slugs', () => {
    expect(dataset.person('zoe-muller')).toMatchObject({ firstName: expect.stringMatching(/^zo[eë]$/i), lastName: expect.stringMatching(/^müller/i) });
    expect(dataset.person('lukasz-tanaka')?.lastName).toMatch(/^田中/);
  });

  it('never finds unknown* / notfound* identifiers and misses a share of the rest', () => {
    expect(dataset.person('unknown-jane')).toBeNull();
    expect(dataset.person('notfound')).toBeNull();
    expect(dataset.reverseLookup('unknown.person@acme.com')).toBeNull();
    expect(dataset.companyByIdOrHandle('notfound-inc')).toBeNull();
    expect(dataset.companyByDomain('unknown.com')).toBeNull();
    const half = new NetrowsDataset({ seed: 'netrows-sim', notFoundShare: 0.5 });
    const missing = slugs.filter((slug) => half.person(slug) === null).length;
    expect(missing).toBeGreaterThan(45);
    expect(missing).toBeLessThan(105);
  });
});

describe('NetrowsDataset consistency', () => {
  it('resolves a reverse lookup to the same person through the profile endpoint, employed at the e-mail domain', () => {
    const lookup = dataset.reverseLookup('Jane.Doe@Initech.de');
    expect(lookup).not.toBeNull();
    const username = lookup?.profile?.username ?? '';
    const person = dataset.person(username);
    expect(person).not.toBeNull();
    expect(`${person?.firstName} ${person?.lastName}`).toBe(lookup?.profile?.fullName);
    expect(person?.headline).toBe(lookup?.profile?.headline);
    expect(person?.profilePicture).toBe(lookup?.profile?.profilePicture);
    const job = currentPosition(person ?? {});
    const company = dataset.companyByIdOrHandle(job?.companyUsername ?? '');
    expect(company).not.toBeNull();
    expect(companyDomainMatches(company ?? {}, 'initech.de')).toBe(true);
  });

  it('keeps usernames from reverse lookups findable whatever the not-found share', () => {
    const strict = new NetrowsDataset({ seed: 'netrows-sim', notFoundShare: 0.99 });
    const username = dataset.reverseLookup('info@vandelay.com')?.profile?.username ?? '';
    expect(strict.person(username)).not.toBeNull();
  });

  it('points every current position at a company that resolves by handle and by id to the same record', () => {
    let checked = 0;
    for (const person of people) {
      const job = currentPosition(person);
      if (job === undefined) continue;
      const byHandle = dataset.companyByIdOrHandle(job.companyUsername ?? '');
      const byId = dataset.companyByIdOrHandle(String(job.companyId));
      expect(byHandle).not.toBeNull();
      expect(byId).toEqual(byHandle);
      expect(byHandle).toMatchObject({ id: String(job.companyId), universalName: job.companyUsername });
      expect(byHandle?.name).toBe(job.companyName);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('answers by-domain with a company on that domain, except for look-alike test domains', () => {
    for (const domain of ['acme.com', 'hooli.io', 'contoso.co.uk', 'some-startup.ai']) {
      const company = dataset.companyByDomain(domain);
      expect(companyDomainMatches(company ?? {}, domain)).toBe(true);
      expect(dataset.companyByIdOrHandle(company?.universalName ?? '')).toEqual(company);
    }
    for (const domain of ['lookalike-acme.com', 'lookalike.io']) {
      const company = dataset.companyByDomain(domain);
      expect(company).not.toBeNull();
      expect(companyDomainMatches(company ?? {}, domain)).toBe(false);
    }
  });

  it('answers companies under every firmographic naming', () => {
    const companies = Array.from({ length: 60 }, (_, i) => dataset.company(`company${i}.com`));
    expect(companies.some((c) => c.staffCount !== undefined && c.industries !== undefined)).toBe(true);
    expect(companies.some((c) => c.employeeCount !== undefined && c.industry !== undefined)).toBe(true);
    expect(companies.some((c) => typeof c.companySize === 'string')).toBe(true);
    const keys = new Set(companies.flatMap((c) => Object.keys(c)));
    for (const field of ['id', 'name', 'universalName', 'linkedinUrl', 'tagline', 'description', 'type', 'phone', 'website', 'staffCountRange', 'specialities', 'headquarter', 'followerCount', 'founded']) {
      expect(keys).toContain(field);
    }
  });
});
