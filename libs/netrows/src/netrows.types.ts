/**
 * Shapes of the Netrows responses a lead needs (as described in the project's netrows-api.md).
 * Fields are optional wherever real responses were seen to omit them (`geo` can be `{}`),
 * and nothing here is trusted to be present: read through the helpers where they exist.
 */

/** The data endpoints the client calls; also the keys of the path and parameter maps. */
export const NETROWS_ENDPOINTS = [
  'profile',
  'profileByUrl',
  'reverseLookup',
  'companyDetails',
  'companyByDomain',
] as const;
export type NetrowsEndpoint = (typeof NETROWS_ENDPOINTS)[number];

/** A calendar date as Netrows sends it; 0 in any part means unknown. */
export interface NetrowsDate {
  year?: number;
  month?: number;
  day?: number;
}

export interface NetrowsGeo {
  country?: string;
  /** May read "City, Region" or name a metro area. */
  city?: string;
  /** Lower-case ISO-3166 alpha-2, e.g. "de". */
  countryCode?: string;
}

export interface NetrowsEducation {
  start?: NetrowsDate;
  end?: NetrowsDate;
  fieldOfStudy?: string;
  degree?: string;
  grade?: string;
  schoolName?: string;
  description?: string;
  activities?: string;
  url?: string;
  schoolId?: string;
  logo?: string;
}

/** One entry of the experience array, which Netrows names `position` (singular). */
export interface NetrowsPosition {
  companyId?: number;
  companyName?: string;
  /** The company's LinkedIn handle (universal name); feeds `companies/details`. */
  companyUsername?: string;
  companyURL?: string;
  title?: string;
  location?: string;
  /** "On-site", "Remote", "Hybrid" or empty. */
  locationType?: string;
  description?: string;
  start?: NetrowsDate;
  /** Missing or `year: 0` means the position is current. */
  end?: NetrowsDate;
}

export interface NetrowsSkill {
  name?: string;
}

/** `GET /people/profile` and `/people/profile-by-url`: a flat person object. */
export interface NetrowsPerson {
  id?: number;
  urn?: string;
  username?: string;
  firstName?: string;
  lastName?: string;
  isPremium?: boolean;
  isTopVoice?: boolean;
  isCreator?: boolean;
  /** Signed media URL that expires: do not store it as a permanent link. */
  profilePicture?: string;
  backgroundImage?: string;
  summary?: string;
  headline?: string;
  geo?: NetrowsGeo;
  educations?: NetrowsEducation[];
  position?: NetrowsPosition[];
  skills?: NetrowsSkill[];
}

/** The short profile embedded in a reverse-lookup answer. */
export interface NetrowsReverseLookupProfile {
  fullName?: string;
  headline?: string;
  summary?: string;
  profilePicture?: string;
  location?: string;
  profileURL?: string;
  username?: string;
}

/** `GET /people/reverse-lookup`; `found: false` may also arrive with status 200. */
export interface NetrowsReverseLookup {
  found?: boolean;
  email?: string;
  linkedinUrl?: string;
  profile?: NetrowsReverseLookupProfile;
}

export interface NetrowsHeadquarter {
  country?: string;
  city?: string;
  postalCode?: string;
}

/**
 * `GET /companies/details` and `/companies/by-domain`. Third-party clients disagree on the
 * firmographic names (`staffCount` / `employeeCount` / `companySize`, `industries` / `industry`):
 * read them through `companyFirmographics()`.
 */
export interface NetrowsCompany {
  id?: string;
  name?: string;
  universalName?: string;
  linkedinUrl?: string;
  tagline?: string;
  description?: string;
  /** "Privately Held", "Public Company", ... */
  type?: string;
  phone?: string;
  /** As typed by the company: may lack a scheme, carry `www.`, a path or upper case. */
  website?: string;
  staffCount?: number;
  /** Seen as "51-200" and as `{ start, end }`. */
  staffCountRange?: string | { start?: number; end?: number };
  employeeCount?: number;
  /** Seen as a head count and as a range such as "51-200 employees". */
  companySize?: number | string;
  industries?: string[];
  industry?: string;
  specialities?: string[];
  headquarter?: NetrowsHeadquarter;
  followerCount?: number;
  /** Seen as `{ year }` and as a bare year. */
  founded?: NetrowsDate | number | null;
}
