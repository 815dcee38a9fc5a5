import { linkedinSlug, normaliseEmail } from '@leadpipe/contracts';
import { currentPosition } from '@leadpipe/netrows';
import { NetrowsDataset } from '../../tools/netrows-simulator/src';
import { Pipeline } from '../support/pipeline';
import { waitFor } from '../support/wait-for';

type LeadBody = { email?: string; linkedin_url?: string };

const TERMINAL = ['enriched', 'not_found', 'invalid', 'dead_lettered'];
const DOMAINS = ['dedupe-alpha.com', 'dedupe-beta.io', 'dedupe-gamma.de', 'dedupe-delta.com'];
const FIRST = ['anna', 'james', 'priya', 'wei', 'olga', 'kenji'];
const LAST = ['garcia', 'muller', 'nowak', 'smith', 'patel', 'chen'];

/** One identity and the ways its repeats spell it (letter case, URL decorations). */
interface Identity {
  spellings: LeadBody[];
}

/**
 * 40 identities: 24 work e-mails at four companies, 4 e-mails that also carry a LinkedIn URL,
 * and 12 LinkedIn URLs, 4 of which are the same people as those 4 (another identity key, so
 * possibly another partition and replica, but the same profile to buy).
 */
function identities(): Identity[] {
  const list: Identity[] = [];
  for (let i = 0; i < 24; i++) {
    const local = `${FIRST[i % FIRST.length]}.${LAST[Math.floor(i / FIRST.length) % LAST.length]}`;
    const domain = DOMAINS[i % DOMAINS.length];
    list.push({ spellings: [{ email: `${local}@${domain}` }, { email: `${local.toUpperCase()}@${domain}` }, { email: `${local[0].toUpperCase()}${local.slice(1)}@${domain.toUpperCase()}` }] });
  }
  for (let i = 0; i < 4; i++) {
    const slug = `dedupe-both-${i}`;
    const email = `both.${LAST[i]}@${DOMAINS[i]}`;
    list.push({
      spellings: [
        { email, linkedin_url: `https://www.linkedin.com/in/${slug}/` },
        { email: email.toUpperCase(), linkedin_url: `linkedin.com/in/${slug.toUpperCase()}?trk=repeat` },
        { email, linkedin_url: `https://linkedin.com/in/${slug}` },
      ],
    });
  }
  for (let i = 0; i < 12; i++) {
    const slug = i < 4 ? `dedupe-both-${i}` : `dedupe-solo-${i}`;
    list.push({
      spellings: [
        { linkedin_url: `https://www.linkedin.com/in/${slug}/` },
        { linkedin_url: `HTTPS://WWW.LINKEDIN.COM/in/${slug.toUpperCase()}/` },
        { linkedin_url: `linkedin.com/in/${slug}?originalSubdomain=de#top` },
      ],
    });
  }
  return list;
}

/**
 * What the enricher must buy for these leads, following `netrows-api.md` on the simulator's
 * (pure, seeded) data: a reverse lookup per e-mail without a URL, a profile per slug, a company
 * per current employer's handle (or per domain when the person has no current position).
 */
function expectedPurchases(leads: readonly LeadBody[]) {
  const dataset = new NetrowsDataset({ seed: 'netrows-sim', notFoundShare: 0 });
  const emails = new Set<string>();
  const slugs = new Set<string>();
  const companies = new Set<string>();
  for (const lead of leads) {
    let slug = lead.linkedin_url ? linkedinSlug(lead.linkedin_url) : null;
    if (!slug && lead.email) {
      const email = normaliseEmail(lead.email);
      emails.add(email);
      slug = dataset.reverseLookup(email)!.profile!.username!;
    }
    slugs.add(slug!);
    const position = currentPosition(dataset.person(slug!)!);
    const handle = position?.companyUsername || (position?.companyId !== undefined ? String(position.companyId) : '');
    if (handle) companies.add(`id:${handle.toLowerCase()}`);
    else if (lead.email) companies.add(`domain:${normaliseEmail(lead.email).split('@')[1]}`);
  }
  return { emails, slugs, companies };
}

describe('buying each identity and company once, across two enricher replicas', () => {
  // Slow answers keep each purchase in flight longer, so concurrent misses of one key overlap.
  const pipeline = new Pipeline({ enricherReplicas: 2, simulator: { latencyMs: 150 } });

  beforeAll(async () => {
    await pipeline.start();
    await pipeline.waitForStableGroup('enricher', 2);
  }, 240_000);

  afterAll(async () => {
    await pipeline.stop();
  }, 120_000);

  it('a stream where a third of the leads repeat identities, the repeats arriving together', async () => {
    const all = identities();
    // 16 identities twice, 2 three times: 20 repeats among 60 leads.
    const leads: LeadBody[][] = all.map((identity, i) => identity.spellings.slice(0, i % 2 === 1 && i < 36 ? (i < 4 ? 3 : 2) : 1));
    const flat = leads.flat();
    expect(flat).toHaveLength(60);
    expect(all).toHaveLength(40);
    const expected = expectedPurchases(flat);

    // Every lead at once: the copies of one identity reach ingest (and the enricher) together.
    const posted = await Promise.all(flat.map((body) => pipeline.postLead(body)));
    for (const { status, json } of posted) expect({ status, json }).toEqual({ status: 202, json: expect.objectContaining({ id: expect.any(String) }) });
    const ids = posted.map(({ json }) => json.id as string);

    const rows = await waitFor(
      async () => {
        const found: Array<{ id: string; status: string; username: string | null; company: string | null; provider_calls: number | null }> = await pipeline.env.db.query(
          `SELECT l.id, l.status, e.raw_person->>'username' AS username, e.raw_company->>'universalName' AS company, e.provider_calls
             FROM leads l LEFT JOIN enrichments e ON e.lead_id = l.id WHERE l.id = ANY($1)`,
          [ids],
        );
        return found.length === ids.length && found.every((row) => TERMINAL.includes(row.status)) ? found : null;
      },
      { timeoutMs: 90_000, intervalMs: 250, what: 'every lead terminal' },
    );

    const stats = pipeline.simulator.stats();
    const callsOf = (endpoint: keyof typeof stats.byEndpoint) => stats.byEndpoint[endpoint]?.calls ?? 0;
    console.info(
      `dedupe: ${flat.length} leads, ${all.length} identities; expected ${expected.emails.size} reverse lookups, ${expected.slugs.size} profiles, ` +
        `${expected.companies.size} companies; simulator ${JSON.stringify(Object.fromEntries(Object.entries(stats.byEndpoint).map(([k, v]) => [k, v.calls])))}`,
    );

    expect(rows.map((row) => row.status)).toEqual(ids.map(() => 'enriched'));
    expect(stats.totals.rateLimited + stats.totals.serverErrors + stats.totals.clientErrors).toBe(0);
    // Person calls: one per unique identity, by what that identity costs (e-mail: lookup + profile; URL: profile).
    expect(callsOf('reverseLookup')).toBe(expected.emails.size);
    expect(callsOf('profile') + callsOf('profileByUrl')).toBe(expected.slugs.size);
    // Company calls: one per unique company, whichever replica and lead needed it first.
    expect(callsOf('companyDetails') + callsOf('companyByDomain')).toBe(expected.companies.size);
    expect(stats.totals.calls).toBe(expected.emails.size + expected.slugs.size + expected.companies.size);

    // The stored raw answers agree: the people and companies bought are exactly the ones expected ...
    expect(new Set(rows.map((row) => row.username))).toEqual(expected.slugs);
    const storedCompanies = new Set(rows.filter((row) => row.company !== null).map((row) => `id:${row.company!.toLowerCase()}`));
    expect(storedCompanies).toEqual(new Set([...expected.companies].filter((key) => key.startsWith('id:'))));
    // ... and every credit is charged to exactly one lead, the repeats to none.
    expect(rows.reduce((sum, row) => sum + (row.provider_calls ?? 0), 0)).toBe(stats.totals.creditsCharged);
  }, 120_000);
});
