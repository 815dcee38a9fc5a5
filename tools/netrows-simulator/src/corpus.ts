/**
 * Word pools for generated people and companies. Deliberately messy: real profiles mix
 * case, carry unicode names whose LinkedIn slugs are ASCII, and leave fields empty.
 */

/** A display name and the ASCII token it appears as in LinkedIn slugs and e-mail addresses. */
export interface NameEntry {
  display: string;
  slug: string;
}

const entries = (pairs: readonly (readonly [string, string])[]): readonly NameEntry[] =>
  pairs.map(([display, slug]) => ({ display, slug }));

export const FIRST_NAMES = entries([
  ['José', 'jose'], ['Zoë', 'zoe'], ['Łukasz', 'lukasz'], ['María', 'maria'], ['Søren', 'soren'],
  ['François', 'francois'], ['Chloé', 'chloe'], ['Björn', 'bjorn'], ['Anna', 'anna'], ['James', 'james'],
  ['Priya', 'priya'], ['Wei', 'wei'], ['Aoife', 'aoife'], ['Ngozi', 'ngozi'], ['Mohammed', 'mohammed'],
  ['Olga', 'olga'], ['Sarah', 'sarah'], ['David', 'david'], ['Emily', 'emily'], ['Michael', 'michael'],
  ['Jessica', 'jessica'], ['Daniel', 'daniel'], ['Laura', 'laura'], ['Kenji', 'kenji'], ['Yuki', 'yuki'],
  ['Ahmet', 'ahmet'], ['Inès', 'ines'], ['Mateo', 'mateo'], ['Hannah', 'hannah'], ['Oliver', 'oliver'],
  ['Jane', 'jane'], ['John', 'john'],
]);

export const LAST_NAMES = entries([
  ['García', 'garcia'], ['Müller', 'muller'], ['Nowak', 'nowak'], ['田中', 'tanaka'], ['Smith', 'smith'],
  ['Johnson', 'johnson'], ["O'Brien", 'obrien'], ['Kowalski', 'kowalski'], ['Nguyen', 'nguyen'], ['Patel', 'patel'],
  ['Andersson', 'andersson'], ['Dubois', 'dubois'], ['Rossi', 'rossi'], ['Kim', 'kim'], ['Okafor', 'okafor'],
  ['Silva', 'silva'], ['van der Berg', 'vanderberg'], ['Schmidt', 'schmidt'], ['Brown', 'brown'], ['Yılmaz', 'yilmaz'],
  ['Fernández', 'fernandez'], ['Lefèvre', 'lefevre'], ['Jensen', 'jensen'], ['Chen', 'chen'], ['Murphy', 'murphy'],
  ['Ivanova', 'ivanova'], ['Suzuki', 'suzuki'], ['Taylor', 'taylor'], ['Doe', 'doe'],
]);

export const CURRENT_TITLES = [
  'vp of sales', 'Chief Technology Officer', 'SR. SOFTWARE ENGINEER', 'Head of Marketing', 'Account Executive',
  'founder & ceo', 'Co-Founder', 'Senior Product Manager', 'Data Scientist II', 'Sales Development Representative (SDR)',
  'Director, Business Development', 'CFO', 'Engineering Manager', 'Growth Marketing Lead', 'HR Business Partner',
  'Customer Success Manager ', 'Software Engineer', 'head of people', 'VP Engineering', 'Principal Consultant',
] as const;

export const PAST_TITLES = [
  'Marketing Intern', 'Junior Developer', 'Sales Associate', 'business analyst', 'Consultant', 'Product Owner',
  'TEAM LEAD', 'Research Assistant', 'Account Manager', 'Software Engineer II',
] as const;

export const SIDE_TITLES = ['Board Member', 'Advisor', 'Mentor', 'Angel Investor', 'Co-Organizer'] as const;

export interface Region {
  country: string;
  /** Lower-case, as in profile `geo.countryCode`. */
  code: string;
  cities: readonly string[];
  postalCodes: readonly string[];
}

export const REGIONS: readonly Region[] = [
  { country: 'United States', code: 'us', cities: ['San Francisco, California', 'New York, New York', 'Austin, Texas', 'Greater Seattle Area', 'Chicago, Illinois'], postalCodes: ['94105', '10001', '78701', '98101', '60601'] },
  { country: 'Germany', code: 'de', cities: ['Berlin, Berlin', 'München, Bayern', 'Hamburg', 'Frankfurt Rhine-Main Metropolitan Area'], postalCodes: ['10115', '80331', '20095', '60311'] },
  { country: 'United Kingdom', code: 'gb', cities: ['London, England', 'Manchester, England', 'Edinburgh, Scotland'], postalCodes: ['EC1A 1BB', 'M1 1AE', 'EH1 1YZ'] },
  { country: 'France', code: 'fr', cities: ['Paris, Île-de-France', 'Lyon, Auvergne-Rhône-Alpes'], postalCodes: ['75002', '69002'] },
  { country: 'Poland', code: 'pl', cities: ['Kraków, Małopolskie', 'Warsaw, Mazowieckie'], postalCodes: ['31-001', '00-001'] },
  { country: 'Spain', code: 'es', cities: ['Madrid, Community of Madrid', 'Barcelona, Catalonia'], postalCodes: ['28001', '08001'] },
  { country: 'Japan', code: 'jp', cities: ['Tokyo, Tokyo', 'Osaka'], postalCodes: ['100-0001', '530-0001'] },
  { country: 'Brazil', code: 'br', cities: ['São Paulo, São Paulo'], postalCodes: ['01000-000'] },
  { country: 'India', code: 'in', cities: ['Bengaluru, Karnataka', 'Mumbai, Maharashtra'], postalCodes: ['560001', '400001'] },
  { country: 'Ireland', code: 'ie', cities: ['Dublin, County Dublin'], postalCodes: ['D02 X285'] },
  { country: 'Nigeria', code: 'ng', cities: ['Lagos, Lagos State'], postalCodes: ['100001'] },
  { country: 'Sweden', code: 'se', cities: ['Stockholm, Stockholm County'], postalCodes: ['111 20'] },
];

/** Brand stems of the built-in company namespace, combined with suffixes and TLDs below. */
export const COMPANY_STEMS = [
  'acme', 'globex', 'initech', 'umbrella', 'hooli', 'vandelay', 'cyberdyne', 'soylent', 'northwind', 'contoso',
  'fabrikam', 'tailspin', 'litware', 'adatum', 'proseware', 'woodgrove', 'lumen', 'brightwave', 'clearpath', 'datavault',
  'ironclad', 'quantix', 'redwood', 'silverline', 'bluepeak', 'greenfield', 'helix', 'nimbus', 'orbital', 'pinnacle',
  'vertex', 'zephyr', 'kestrel', 'ember', 'tidal', 'cobalt', 'juniper', 'aurora', 'atlas', 'meridian',
] as const;

export const COMPANY_SUFFIXES = ['', 'labs', 'systems', 'tech', 'soft', 'cloud', 'data', 'ai', 'works', 'hq'] as const;

export const COMPANY_TLDS = ['com', 'io', 'de', 'co.uk', 'ai', 'net'] as const;

export const LEGAL_FORMS = ['Inc.', 'GmbH', 'Ltd', 'LLC', 'S.A.', 'AB', 'sp. z o.o.'] as const;

export const COMPANY_TYPES = ['Privately Held', 'Public Company', 'Partnership', 'Self-Employed', 'Nonprofit'] as const;

export const INDUSTRIES = [
  'Software Development', 'IT Services and IT Consulting', 'Financial Services', 'Marketing Services',
  'Computer and Network Security', 'Hospitals and Health Care', 'Retail', 'Staffing and Recruiting',
  'Business Consulting and Services', 'Technology, Information and Internet',
] as const;

export const SPECIALITIES = [
  'SaaS', 'saas', 'B2B', 'Cloud Computing', 'machine learning', 'Data Analytics', 'Consulting', 'E-Commerce',
  'Cybersecurity', 'CRM', 'Lead Generation', 'DevOps',
] as const;

export const SKILLS = [
  'SaaS', 'saas', 'Salesforce.com', 'B2B', 'Python', 'Leadership', 'Team Leadership', 'Sales', 'Public Speaking',
  'JavaScript', 'Machine Learning', 'Negotiation', 'Project Management', 'project management', 'SQL', 'Marketing Strategy',
] as const;

/** Head-count bands as LinkedIn labels them, with a plausible count inside each. */
export const STAFF_BANDS = [
  { range: '2-10', min: 2, max: 10 },
  { range: '11-50', min: 11, max: 50 },
  { range: '51-200', min: 51, max: 200 },
  { range: '201-500', min: 201, max: 500 },
  { range: '501-1000', min: 501, max: 1000 },
  { range: '1001-5000', min: 1001, max: 5000 },
  { range: '10001+', min: 10001, max: 250000 },
] as const;

export const SCHOOLS = [
  { name: 'Technische Universität München', slug: 'tum' },
  { name: 'University of Oxford', slug: 'oxford-university' },
  { name: 'Universidad Complutense de Madrid', slug: 'universidad-complutense-de-madrid' },
  { name: 'Uniwersytet Jagielloński', slug: 'uniwersytet-jagiellonski' },
  { name: 'Stanford University', slug: 'stanford-university' },
  { name: '東京大学', slug: 'the-university-of-tokyo' },
  { name: 'HEC Paris', slug: 'hec-paris' },
  { name: 'Trinity College Dublin', slug: 'trinity-college-dublin' },
] as const;

export const DEGREES = ['Bachelor of Science - BS', 'MBA', "Master's degree", 'BSc', '', 'Doctor of Philosophy - PhD'] as const;

export const FIELDS_OF_STUDY = ['Computer Science', 'Business Administration and Management, General', 'Economics', 'Marketing', '', 'Mechanical Engineering'] as const;

export const HEADLINE_TAGLINES = [
  'Helping B2B teams grow 🚀', 'Building the future of work', 'ex-Google', 'Open to new opportunities',
  'Speaker · Author · Dad of 2', 'Data nerd',
] as const;
