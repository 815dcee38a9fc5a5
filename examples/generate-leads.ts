/**
 * Writes examples/leads.csv: ~300 realistic, deliberately messy leads for demos and load runs.
 * Deterministic (seeded PRNG, no external data), so the committed CSV can be regenerated
 * byte for byte and diffs show real changes only.
 *
 * Run from the repository root (examples/ is outside the build's tsconfig, so compile it alone):
 *   npx tsc examples/generate-leads.ts --outDir .cache/examples --module commonjs --target es2022 --strict --types node \
 *     && node .cache/examples/generate-leads.js [examples/leads.csv]
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const SEED = 20250101;
const TOTAL_ROWS = 300;

/** mulberry32: tiny, fast and good enough for test data; the same seed always gives the same file. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = createRandom(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const chance = (p: number): boolean => random() < p;
const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

const FIRST_NAMES = [
  'Emma', 'Liam', 'Olivia', 'Noah', 'Sophia', 'Lucas', 'Mia', 'Elias', 'Hannah', 'Jonas', 'Lea', 'Felix',
  'Chloe', 'Hugo', 'Camille', 'Louis', 'Giulia', 'Marco', 'Sofia', 'Luca', 'Ana', 'Pablo', 'Lucia', 'Diego',
  'Priya', 'Arjun', 'Ananya', 'Rahul', 'Mei', 'Wei', 'Yuki', 'Haruto', 'Fatima', 'Omar', 'Amara', 'Kwame',
  'Sarah', 'James', 'Emily', 'Daniel', 'Grace', 'Michael', 'Laura', 'David', 'Anna', 'Thomas', 'Julia', 'Peter',
  'Ingrid', 'Erik', 'Freya', 'Lars', 'Nora', 'Mateus', 'Beatriz', 'Tomasz', 'Katarzyna', 'Daan', 'Sanne', 'Aoife',
] as const;

const LAST_NAMES = [
  'Smith', 'Johnson', 'Brown', 'Miller', 'Davis', 'Wilson', 'Taylor', 'Clark', 'Walker', 'Young', 'King', 'Wright',
  'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Becker', 'Martin', 'Bernard', 'Dubois', 'Moreau', 'Laurent',
  'Rossi', 'Russo', 'Ferrari', 'Bianchi', 'García', 'Fernández', 'López', 'Martínez', 'Silva', 'Santos', 'Costa',
  'Patel', 'Sharma', 'Gupta', 'Chen', 'Wang', 'Li', 'Tanaka', 'Sato', 'Kim', 'Park', 'Nguyen', 'Okafor', 'Mensah',
  'Hansen', 'Johansson', 'Nielsen', 'Kowalski', 'Nowak', 'de Vries', 'Jansen', "O'Brien", 'Murphy', 'Kelly', 'Byrne',
] as const;

/** Made-up companies; ~40 so that several leads share one and the enricher's company cache gets hits. */
const COMPANY_DOMAINS = [
  'acme-corp.com', 'northwind-analytics.com', 'bluepeak-software.com', 'lumenworks.com', 'greenfield-logistics.com',
  'orbitalcloud.com', 'silverline-health.com', 'brightpath-learning.com', 'quantumleaf.com', 'harbor-fintech.com',
  'redwood-robotics.com', 'stellar-insights.com', 'cobalt-security.com', 'meridian-retail.com', 'pinecrest-energy.com',
  'vertex-biolabs.com', 'nimbus-hr.com', 'ironbridge-capital.com', 'sunflower-foods.com', 'tidewater-marine.com',
  'kestrel-aero.com', 'mosaic-media.com', 'evergreen-property.com', 'falconpoint.com', 'granite-construct.com',
  'helix-genomics.com', 'juniper-payments.com', 'lighthouse-legal.com', 'maple-insurance.com', 'novastream.com',
  'oakridge-consulting.com', 'polaris-travel.com', 'quarry-data.com', 'riverbend-pharma.com', 'sapphire-telecom.com',
  'trellis-agritech.com', 'umbra-games.com', 'velvet-fashion.com', 'willow-automotive.com', 'zephyr-mobility.com',
] as const;

const FREE_MAIL_DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com'] as const;

const HEADER = ['email', 'first_name', 'last_name', 'company_domain', 'linkedin_url'] as const;
type LeadRecord = Record<(typeof HEADER)[number], string>;
const EMPTY: LeadRecord = { email: '', first_name: '', last_name: '', company_domain: '', linkedin_url: '' };

interface Person {
  readonly first: string;
  readonly last: string;
  readonly domain: string;
  readonly slug: string;
}

/** E-mail and slug parts are ASCII: people with accented names still get ASCII mailboxes. */
function asciiPart(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/æ/g, 'ae')
    .replace(/Æ/g, 'Ae')
    .replace(/ð/g, 'd')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

const usedSlugs = new Set<string>();
function newPerson(first = pick(FIRST_NAMES), last = pick(LAST_NAMES)): Person {
  let slug = `${asciiPart(first)}-${asciiPart(last)}`;
  // Real profile slugs carry a random suffix once the plain name is taken.
  if (usedSlugs.has(slug) || chance(0.5)) slug = `${slug}-${Math.floor(random() * 0xffffff).toString(16).padStart(6, '0')}`;
  usedSlugs.add(slug);
  return { first, last, domain: pick(COMPANY_DOMAINS), slug };
}

function workEmail(person: Person): string {
  const first = asciiPart(person.first);
  const last = asciiPart(person.last);
  const local = pick([`${first}.${last}`, `${first}.${last}`, `${first}.${last}`, `${first[0]}${last}`, first, `${first}_${last}`]);
  return `${local}@${person.domain}`;
}

/** Profile URLs as people paste them: tracking queries, trailing spaces, capitals, http, no www. */
function linkedinUrl(slug: string, messy = true): string {
  const clean = `https://www.linkedin.com/in/${slug}/`;
  if (!messy) return clean;
  const variant = int(0, 9);
  switch (variant) {
    case 0:
      return `${clean}?utm_source=share&utm_campaign=share_via&utm_content=profile&utm_medium=ios_app`;
    case 1:
      return `${clean}  `;
    case 2:
      return `HTTPS://WWW.LINKEDIN.COM/IN/${slug.toUpperCase()}/`;
    case 3:
      return `http://linkedin.com/in/${slug}`;
    case 4:
      return `https://www.linkedin.com/in/${slug}?originalSubdomain=uk`;
    case 5:
      return `https://de.linkedin.com/in/${slug}/`;
    default:
      return clean;
  }
}

type Category = 'business' | 'linkedin' | 'both' | 'freemail' | 'unknown' | 'dirty';

/** Shares of the file (repeats are inserted afterwards); sums to TOTAL_ROWS minus the repeats. */
const MIX: Readonly<Record<Category, number>> = { business: 165, linkedin: 45, both: 24, freemail: 15, unknown: 15, dirty: 21 };
const REPEATS = TOTAL_ROWS - Object.values(MIX).reduce((sum, n) => sum + n, 0);

interface Row {
  readonly record: LeadRecord;
  /** Set for rows whose identity a repeat may reuse. */
  readonly person?: Person;
  readonly email?: string;
}

function businessRow(): Row {
  const person = newPerson();
  const email = workEmail(person);
  const record: LeadRecord = {
    ...EMPTY,
    email,
    // Exports often miss a name or the domain; the pipeline must cope.
    first_name: chance(0.92) ? person.first : '',
    last_name: chance(0.9) ? person.last : '',
    company_domain: chance(0.85) ? person.domain : '',
  };
  return { record, person, email };
}

function linkedinRow(): Row {
  const person = newPerson();
  const named = chance(0.4);
  return {
    record: { ...EMPTY, first_name: named ? person.first : '', last_name: named ? person.last : '', linkedin_url: linkedinUrl(person.slug) },
    person,
  };
}

function bothRow(): Row {
  const person = newPerson();
  const email = workEmail(person);
  return {
    record: { email, first_name: person.first, last_name: person.last, company_domain: person.domain, linkedin_url: linkedinUrl(person.slug, chance(0.5)) },
    person,
    email,
  };
}

function freeMailRow(): Row {
  const person = newPerson();
  const local = `${asciiPart(person.first)}${pick(['.', '', '_'])}${asciiPart(person.last)}${chance(0.6) ? int(1, 99) : ''}`;
  return { record: { ...EMPTY, email: `${local}@${pick(FREE_MAIL_DOMAINS)}`, first_name: person.first, last_name: person.last } };
}

let unknownCount = 0;
/** Identities the simulator treats as people who do not exist: they start with "unknown". */
function unknownRow(): Row {
  unknownCount += 1;
  const domain = pick(COMPANY_DOMAINS);
  if (chance(0.7)) {
    return { record: { ...EMPTY, email: `unknown.person${unknownCount}@${domain}`, company_domain: chance(0.7) ? domain : '' } };
  }
  return { record: { ...EMPTY, linkedin_url: `https://www.linkedin.com/in/unknown-person-${unknownCount}/` } };
}

/** Each dirty row shows one kind of mess ingest must reject or clean up. */
const DIRTY_ROWS: readonly (() => Row)[] = [
  () => ({ record: { ...EMPTY, email: 'john@', first_name: 'John', last_name: 'Parker' } }),
  () => ({ record: { ...EMPTY, email: 'not-an-email', first_name: 'Maria', last_name: 'Lopez', company_domain: 'meridian-retail.com' } }),
  () => ({ record: { ...EMPTY, email: 'paul.smith@@cobalt-security.com', first_name: 'Paul', last_name: 'Smith' } }),
  () => ({ record: { ...EMPTY, email: 'anna.king at nimbus-hr.com', first_name: 'Anna', last_name: 'King' } }),
  () => ({ record: { ...EMPTY, email: 'lars.hansen@harbor-fintech', first_name: 'Lars', last_name: 'Hansen' } }),
  () => ({ record: { ...EMPTY, first_name: 'Chloe', last_name: 'Moreau', company_domain: 'polaris-travel.com' } }),
  () => ({ record: { ...EMPTY, first_name: 'Kwame', last_name: 'Mensah' } }),
  () => ({ record: { ...EMPTY, company_domain: 'quarry-data.com' } }),
  () => ({ record: { ...EMPTY, email: 'emily.clark@lumenworks.com', first_name: '  Emily ', last_name: ' Clark  ', company_domain: ' lumenworks.com' } }),
  () => ({ record: { ...EMPTY, email: ' daniel.weber@vertex-biolabs.com ', first_name: 'Daniel\t', last_name: 'Weber', company_domain: 'vertex-biolabs.com ' } }),
  () => ({ record: { ...EMPTY, email: 'jose.garcia@acme-corp.com', first_name: 'José', last_name: 'García', company_domain: 'acme-corp.com' } }),
  () => ({ record: { ...EMPTY, email: 'zoe.brennan@bluepeak-software.com', first_name: 'Zoë', last_name: 'Brennan', company_domain: 'bluepeak-software.com' } }),
  () => ({ record: { ...EMPTY, email: 'lukasz.wojcik@granite-construct.com', first_name: 'Łukasz', last_name: 'Wójcik', company_domain: 'granite-construct.com' } }),
  () => ({ record: { ...EMPTY, first_name: 'Ægir', last_name: 'Sigurðsson', linkedin_url: 'https://www.linkedin.com/in/aegir-sigurdsson/' } }),
  () => ({ record: { ...EMPTY, first_name: 'Søren', last_name: 'Kierkegaard-Holm', linkedin_url: 'https://www.linkedin.com/in/s%C3%B8ren-holm-4b2a19/' } }),
  () => ({ record: { ...EMPTY, linkedin_url: 'https://www.linkedin.com/company/acme/' } }),
  () => ({ record: { ...EMPTY, first_name: 'Nora', last_name: 'Jansen', linkedin_url: 'https://www.linkedin.com/school/trellis-academy/' } }),
  () => ({ record: { ...EMPTY, linkedin_url: 'https://www.linkedin.com/in/' } }),
  () => ({ record: { ...EMPTY, email: 'GRACE.OKAFOR@ZEPHYR-MOBILITY.COM', first_name: 'GRACE', last_name: 'OKAFOR', company_domain: 'Zephyr-Mobility.com' } }),
  () => ({ record: { ...EMPTY, email: '"sam.lee"@oakridge-consulting.com', first_name: 'Sam', last_name: 'Lee, Jr.' } }),
  () => ({ record: { ...EMPTY, email: 'mei.chen@riverbend-pharma.com;wei.chen@riverbend-pharma.com', first_name: 'Mei', last_name: 'Chen' } }),
];

/** The same person again, the way CRMs duplicate people: other case, other URL form, fewer fields. */
function repeatOf(original: Row): LeadRecord {
  const person = original.person;
  if (original.email && (!person || chance(0.6))) {
    const email = chance(0.5) ? original.email.toUpperCase() : original.email.replace(/^./, (c) => c.toUpperCase());
    return { ...original.record, email, first_name: chance(0.5) ? original.record.first_name : '', linkedin_url: '' };
  }
  if (!person) return { ...original.record };
  return { ...EMPTY, first_name: person.first, last_name: person.last, linkedin_url: linkedinUrl(person.slug) };
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function generate(): LeadRecord[] {
  const makers: Record<Exclude<Category, 'dirty'>, () => Row> = {
    business: businessRow,
    linkedin: linkedinRow,
    both: bothRow,
    freemail: freeMailRow,
    unknown: unknownRow,
  };
  const categories = shuffle(
    (Object.keys(MIX) as Category[]).flatMap((category) => Array.from({ length: MIX[category] }, () => category)),
  );
  let dirtyIndex = 0;
  const rows: Row[] = categories.map((category) => (category === 'dirty' ? DIRTY_ROWS[dirtyIndex++ % DIRTY_ROWS.length]() : makers[category]()));

  // Repeats go after their original, as when a second list is appended to the first.
  for (let n = 0; n < REPEATS; n += 1) {
    let index = int(0, rows.length - 2);
    while (!rows[index].person) index = (index + 1) % (rows.length - 1);
    const at = int(index + 1, rows.length);
    rows.splice(at, 0, { record: repeatOf(rows[index]) });
  }
  return rows.map((row) => row.record);
}

/** RFC 4180 quoting: only when needed, so the file stays readable in a diff. */
function csvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function main(): void {
  const target = resolve(process.argv[2] ?? 'examples/leads.csv');
  const records = generate();
  const lines = [HEADER.join(','), ...records.map((record) => HEADER.map((column) => csvCell(record[column])).join(','))];
  writeFileSync(target, `${lines.join('\n')}\n`, 'utf8');
  process.stdout.write(`wrote ${records.length} leads to ${target}\n`);
}

main();
