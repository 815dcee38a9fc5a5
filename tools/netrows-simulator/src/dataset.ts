import type {
  NetrowsCompany,
  NetrowsDate,
  NetrowsEducation,
  NetrowsPerson,
  NetrowsPosition,
  NetrowsReverseLookup,
} from '@leadpipe/netrows';
import {
  COMPANY_TYPES,
  CURRENT_TITLES,
  DEGREES,
  FIELDS_OF_STUDY,
  FIRST_NAMES,
  HEADLINE_TAGLINES,
  INDUSTRIES,
  LAST_NAMES,
  LEGAL_FORMS,
  PAST_TITLES,
  REGIONS,
  SCHOOLS,
  SIDE_TITLES,
  SKILLS,
  SPECIALITIES,
  STAFF_BANDS,
  type NameEntry,
  type Region,
} from './corpus';
import {
  NAMESPACE,
  companyIdOf,
  domainToHandle,
  emailUsername,
  handleToDomain,
  isAlwaysMissing,
  namespaceCompany,
  namespaceDomainOfId,
  parseEmailUsername,
  slugToken,
} from './identifiers';
import { Prng, unitHash } from './prng';

export interface DatasetOptions {
  /** Changes every generated record; the default keeps data stable across runs. */
  seed: string;
  /** Share (0..1) of people, e-mails and domains that are not found. */
  notFoundShare: number;
}

/** Fixed so that media URLs stay byte-identical between runs; real ones expire. */
const MEDIA_EXPIRY = 1_798_761_600;

const displayFrom = (pool: readonly NameEntry[], token: string): string =>
  pool.find((entry) => entry.slug === token)?.display ?? (token === '' ? '' : token[0].toUpperCase() + token.slice(1));

const zeroDate = (): NetrowsDate => ({ year: 0, month: 0, day: 0 });

function titleCase(text: string): string {
  return text.replace(/(^|[\s-])([a-z])/g, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

/**
 * Generates people and companies as pure functions of their identifier. The only state is
 * the id → domain index of companies outside the namespace, which exists because a hashed id
 * cannot be inverted; it fills whenever such a company is mentioned.
 */
export class NetrowsDataset {
  readonly #seed: string;
  readonly #notFoundShare: number;
  readonly #domainsById = new Map<number, string>();

  constructor(options: DatasetOptions) {
    this.#seed = options.seed;
    this.#notFoundShare = options.notFoundShare;
  }

  #missedByShare(kind: string, identifier: string): boolean {
    return unitHash(this.#seed, 'not-found', kind, identifier) < this.#notFoundShare;
  }

  // ---------------------------------------------------------------- people

  /** `GET /people/profile?username=`; null when not found. */
  person(username: string): NetrowsPerson | null {
    const slug = username.trim().toLowerCase();
    if (isAlwaysMissing(slug)) return null;
    const fromEmail = parseEmailUsername(slug);
    // Usernames handed out by the reverse lookup always resolve: the lookup already decided.
    if (fromEmail === null && this.#missedByShare('person', slug)) return null;
    return this.#buildPerson(slug, fromEmail);
  }

  /** `GET /people/reverse-lookup?email=`; null when not found. Free-mail is refused earlier. */
  reverseLookup(email: string): NetrowsReverseLookup | null {
    const address = email.trim().toLowerCase();
    const at = address.lastIndexOf('@');
    const local = address.slice(0, at);
    const domain = address.slice(at + 1);
    if (isAlwaysMissing(local) || this.#missedByShare('email', address)) return null;
    const tokens = local.split(/[._-]+/).map(slugToken).filter((t) => /^[a-z]{2,}$/.test(t));
    let firstToken: string;
    let lastToken: string;
    if (tokens.length >= 2) {
      [firstToken, lastToken] = tokens;
    } else {
      // "jsmith@", "info@": invent a person, as the real service resolves these to someone too.
      const rng = Prng.for(this.#seed, 'email-name', address);
      firstToken = rng.pick(FIRST_NAMES).slug;
      lastToken = rng.pick(LAST_NAMES).slug;
    }
    const username = emailUsername(firstToken, lastToken, domain);
    const person = this.#buildPerson(username, parseEmailUsername(username));
    const geo = person.geo ?? {};
    const profileURL = `https://www.linkedin.com/in/${username}/`;
    return {
      found: true,
      email: address,
      linkedinUrl: `https://www.linkedin.com/in/${username}`,
      profile: {
        fullName: `${person.firstName ?? ''} ${person.lastName ?? ''}`.trim(),
        headline: person.headline ?? '',
        summary: person.summary ?? '',
        profilePicture: person.profilePicture ?? '',
        location: [geo.city, geo.country].filter((part) => part !== undefined && part !== '').join(', '),
        profileURL,
        username,
      },
    };
  }

  #buildPerson(slug: string, fromEmail: ReturnType<typeof parseEmailUsername>): NetrowsPerson {
    const rng = Prng.for(this.#seed, 'person', slug);
    let firstName: string;
    let lastName: string;
    const tokens = slug.split(/[-_.]+/).filter((t) => /^[a-z]{2,}$/.test(t));
    if (fromEmail !== null) {
      firstName = displayFrom(FIRST_NAMES, fromEmail.firstToken);
      lastName = displayFrom(LAST_NAMES, fromEmail.lastToken);
    } else if (tokens.length >= 2) {
      firstName = displayFrom(FIRST_NAMES, tokens[0]);
      lastName = displayFrom(LAST_NAMES, tokens[1]);
    } else {
      firstName = rng.pick(FIRST_NAMES).display;
      lastName = rng.pick(LAST_NAMES).display;
    }
    // Real profiles: post-nominals in the name field, names typed in lower case.
    if (rng.chance(0.06)) lastName = `${lastName}, MBA`;
    if (rng.chance(0.04)) firstName = firstName.toLowerCase();

    const region = rng.pick(REGIONS);
    const positions = this.#positions(rng, region, fromEmail?.domain);
    const current = positions[0];
    const hasCurrent = current !== undefined && (current.end === undefined || current.end.year === 0);

    const headlineStyle = rng.int(0, 5);
    let headline = '';
    if (hasCurrent && headlineStyle <= 2) headline = `${current.title?.trim()} at ${current.companyName}`;
    else if (hasCurrent && headlineStyle === 3) headline = `${current.title?.trim()} @ ${current.companyName} | ${rng.pick(HEADLINE_TAGLINES)}`;
    else if (headlineStyle === 4) headline = rng.pick(HEADLINE_TAGLINES);

    const person: NetrowsPerson = {
      id: rng.int(10_000_000, 999_999_999),
      urn: `ACoAA${rng.token(34)}`,
      username: slug,
      firstName,
      lastName,
      isPremium: rng.chance(0.3),
      isTopVoice: rng.chance(0.03),
      isCreator: rng.chance(0.1),
      profilePicture: rng.chance(0.8) ? this.#mediaUrl(rng, 'profile-displayphoto-shrink_800_800') : '',
      backgroundImage: rng.chance(0.5) ? this.#mediaUrl(rng, 'profile-displaybackgroundimage-shrink_350_1400') : '',
      summary: rng.chance(0.4)
        ? ''
        : `${rng.pick(HEADLINE_TAGLINES)}.\n\nI work on ${rng.pick(SKILLS).toLowerCase()} and ${rng.pick(SKILLS).toLowerCase()}. Based in ${region.country}.`,
      headline,
      // Real answers carry `geo: {}` for some people.
      geo: rng.chance(0.05)
        ? {}
        : { country: region.country, city: rng.chance(0.1) ? '' : rng.pick(region.cities), countryCode: region.code },
      educations: this.#educations(rng),
      position: positions,
      skills: Array.from({ length: rng.int(0, 10) }, () => ({ name: rng.pick(SKILLS) })),
    };
    return person;
  }

  #mediaUrl(rng: Prng, variant: string): string {
    const asset = `D${rng.int(4, 5)}${rng.token(2).toUpperCase()}03AQ${rng.token(11)}`;
    return `https://media.licdn.com/dms/image/v2/${asset}/${variant}/${variant}/0/${rng.int(1_600_000_000, 1_750_000_000)}${rng.int(100, 999)}?e=${MEDIA_EXPIRY}&v=beta&t=${rng.token(43)}`;
  }

  #educations(rng: Prng): NetrowsEducation[] {
    return Array.from({ length: rng.int(0, 2) }, () => {
      const school = rng.pick(SCHOOLS);
      const startYear = rng.int(1995, 2016);
      return {
        start: { year: startYear, month: 0, day: 0 },
        end: rng.chance(0.15) ? zeroDate() : { year: startYear + rng.int(1, 5), month: 0, day: 0 },
        fieldOfStudy: rng.pick(FIELDS_OF_STUDY),
        degree: rng.pick(DEGREES),
        grade: rng.chance(0.8) ? '' : '1.3',
        schoolName: school.name,
        description: '',
        activities: rng.chance(0.8) ? '' : 'Debating society, rowing',
        url: `https://www.linkedin.com/school/${school.slug}/`,
        schoolId: String(rng.int(1000, 999_999)),
        logo: rng.chance(0.7) ? this.#mediaUrl(rng, 'company-logo_100_100') : '',
      };
    });
  }

  #position(rng: Prng, domain: string, title: string, region: Region, start: NetrowsDate, end: NetrowsDate | undefined): NetrowsPosition {
    const company = this.company(domain);
    const handle = company.universalName ?? domainToHandle(domain);
    const position: NetrowsPosition = {
      companyId: Number(company.id),
      companyName: company.name,
      companyUsername: handle,
      companyURL: `https://www.linkedin.com/company/${handle}/`,
      title,
      location: rng.chance(0.3) ? '' : `${rng.pick(region.cities)}, ${region.country}`,
      locationType: rng.pick(['On-site', 'Remote', 'Hybrid', '']),
      description: rng.chance(0.5) ? '' : `Responsible for ${rng.pick(SKILLS).toLowerCase()} across ${rng.pick(REGIONS).country}.`,
      start,
    };
    if (end !== undefined) position.end = end;
    return position;
  }

  /**
   * Most recent first, like LinkedIn. The main job starts after any side role, so the
   * "current position with the latest start" rule picks the employer.
   */
  #positions(rng: Prng, region: Region, employerDomain: string | undefined): NetrowsPosition[] {
    const positions: NetrowsPosition[] = [];
    const mainStartYear = rng.int(2012, 2025);
    const hasCurrent = employerDomain !== undefined || rng.chance(0.95);
    if (hasCurrent) {
      const domain = employerDomain ?? rng.pick(NAMESPACE).domain;
      // A missing `end` and `end.year: 0` both mean "current" in real answers.
      const end = rng.chance(0.3) ? undefined : zeroDate();
      positions.push(this.#position(rng, domain, rng.pick(CURRENT_TITLES), region, { year: mainStartYear, month: rng.int(0, 12), day: 0 }, end));
      if (rng.chance(0.15)) {
        const sideStart = { year: mainStartYear - rng.int(1, 5), month: rng.int(1, 12), day: 0 };
        positions.push(this.#position(rng, rng.pick(NAMESPACE).domain, rng.pick(SIDE_TITLES), region, sideStart, zeroDate()));
      }
    }
    let endYear = hasCurrent ? mainStartYear : rng.int(2020, 2025);
    for (let i = rng.int(0, 3); i > 0; i--) {
      const startYear = endYear - rng.int(1, 4);
      const start = { year: startYear, month: rng.int(1, 12), day: 0 };
      const end = { year: endYear, month: rng.int(1, 12), day: 0 };
      if (rng.chance(0.15)) {
        // Freelance stints carry no company reference at all.
        positions.push({ companyName: 'Self-employed', title: 'Freelance Consultant', location: '', locationType: 'Remote', description: '', start, end });
      } else {
        positions.push(this.#position(rng, rng.pick(NAMESPACE).domain, rng.pick(PAST_TITLES), region, start, end));
      }
      endYear = startYear;
    }
    return positions;
  }

  // ------------------------------------------------------------- companies

  /** `GET /companies/details?companyId=`: by handle or numeric id; null when not found. */
  companyByIdOrHandle(idOrHandle: string): NetrowsCompany | null {
    const key = idOrHandle.trim().toLowerCase();
    if (isAlwaysMissing(key)) return null;
    if (/^\d+$/.test(key)) {
      const id = Number(key);
      const domain = namespaceDomainOfId(id) ?? this.#domainsById.get(id);
      return domain === undefined ? null : this.company(domain);
    }
    return this.company(handleToDomain(key));
  }

  /**
   * `GET /companies/by-domain?domain=`; null when not found. Domains starting with
   * "lookalike" answer with a different company on a similar domain, as the real endpoint
   * sometimes does, so callers can prove they reject it.
   */
  companyByDomain(domain: string): NetrowsCompany | null {
    if (isAlwaysMissing(domain)) return null;
    if (domain.startsWith('lookalike')) return this.company(lookalikeOf(domain));
    if (this.#missedByShare('domain', domain)) return null;
    return this.company(domain);
  }

  /** The company whose website is on `domain`. Always found: people reference it. */
  company(domain: string): NetrowsCompany {
    const rng = Prng.for(this.#seed, 'company', domain);
    const id = companyIdOf(domain);
    if (namespaceCompany(domain) === undefined) this.#domainsById.set(id, domain);
    const handle = domainToHandle(domain);
    const entry = namespaceCompany(domain);
    const baseName = entry !== undefined ? `${titleCase(entry.stem)}${entry.suffix ? ` ${titleCase(entry.suffix)}` : ''}` : titleCase(domain.split('.')[0]);
    const nameStyle = rng.int(0, 9);
    const name = nameStyle === 0 ? baseName.toUpperCase() : nameStyle <= 2 ? `${baseName} ${rng.pick(LEGAL_FORMS)}` : baseName;
    const region = rng.pick(REGIONS);
    const cityIndex = rng.int(0, region.cities.length - 1);
    const band = rng.pick(STAFF_BANDS);
    const staff = rng.int(band.min, band.max);
    const industries = Array.from({ length: rng.int(1, 2) }, () => rng.pick(INDUSTRIES));

    const company: NetrowsCompany = {
      id: String(id),
      name,
      universalName: handle,
      linkedinUrl: `https://www.linkedin.com/company/${handle}`,
      tagline: rng.chance(0.4) ? '' : `${rng.pick(HEADLINE_TAGLINES)}`,
      description: `${name} builds ${rng.pick(SPECIALITIES).toLowerCase()} products for ${rng.pick(INDUSTRIES).toLowerCase()} teams.\nFounded in ${region.country}.`,
      type: rng.pick(COMPANY_TYPES),
      phone: rng.chance(0.6) ? '' : `+${rng.int(1, 49)} ${rng.int(100, 999)} ${rng.int(1000, 9999)}`,
      website: websiteFor(rng, domain),
      headquarter: {
        country: region.code.toUpperCase(),
        city: region.cities[cityIndex].split(',')[0],
        postalCode: rng.chance(0.2) ? '' : region.postalCodes[cityIndex] ?? '',
      },
      specialities: Array.from({ length: rng.int(0, 5) }, () => rng.pick(SPECIALITIES)),
      followerCount: Math.round(staff * rng.int(3, 40)),
      founded: rng.chance(0.15) ? null : { year: rng.int(1950, 2023) },
    };
    // Third-party clients disagree on firmographic names; answer under each of them.
    const variant = rng.next();
    if (variant < 0.7) {
      company.staffCount = staff;
      if (rng.chance(0.8)) company.staffCountRange = band.range;
      company.industries = industries;
    } else if (variant < 0.85) {
      company.employeeCount = staff;
      company.industry = industries[0];
    } else {
      company.companySize = `${band.range} employees`;
      company.industry = industries[0];
      company.industries = industries;
    }
    return company;
  }
}

/** Website as companies type it: scheme or not, `www.` or not, a locale path, upper case. */
function websiteFor(rng: Prng, domain: string): string {
  switch (rng.int(0, 5)) {
    case 0:
      return `https://www.${domain}/`;
    case 1:
      return `http://${domain}`;
    case 2:
      return domain;
    case 3:
      return `https://${domain}/en-us`;
    case 4:
      return `WWW.${domain.toUpperCase()}`;
    default:
      return `https://www.${domain}`;
  }
}

/** A similar-looking but different registrable domain. */
function lookalikeOf(domain: string): string {
  if (domain.endsWith('.com')) return `${domain.slice(0, -4)}.co`;
  const dot = domain.indexOf('.');
  return `${domain.slice(0, dot).replace(/-/g, '')}-group.com`;
}
