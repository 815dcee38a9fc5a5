import { cleanText, foldAccents, upperChar } from './text';

export const SENIORITIES = ['c_level', 'vp', 'director', 'manager', 'individual'] as const;
export type Seniority = (typeof SENIORITIES)[number];

export const JOB_FUNCTIONS = [
  'sales', 'marketing', 'engineering', 'product', 'design', 'finance', 'hr', 'operations', 'it', 'legal', 'customer_success', 'executive', 'other',
] as const;
export type JobFunction = (typeof JOB_FUNCTIONS)[number];

/** Words that are written in capitals in a job title, whatever case they were typed in. */
const ACRONYMS: ReadonlySet<string> = new Set([
  'ceo', 'cto', 'cfo', 'coo', 'cmo', 'cio', 'ciso', 'cro', 'cpo', 'cdo', 'cco', 'chro', 'cso', 'cxo', 'vp', 'svp', 'evp', 'avp', 'gm',
  'hr', 'hrbp', 'it', 'ict', 'ai', 'ml', 'nlp', 'llm', 'bi', 'qa', 'ux', 'ui', 'seo', 'sem', 'ppc', 'crm', 'erp', 'sap', 'api', 'aws', 'gcp',
  'sre', 'dba', 'etl', 'iot', 'b2b', 'b2c', 'dach', 'emea', 'apac', 'latam', 'mena', 'anz', 'us', 'usa', 'uk', 'eu', 'sdr', 'bdr', 'csm',
  'kam', 'pmm', 'gtm', 'cx', 'pr', 'r&d', 'fp&a', 'l&d', 'dei', 'esg', 'ehs', 'hse', 'okr', 'kpi', 'cpa', 'cfa', 'mba', 'smb', 'ii', 'iii', 'iv',
]);

/** Words with a settled mixed spelling. */
const SPELLINGS: Readonly<Record<string, string>> = {
  saas: 'SaaS', paas: 'PaaS', iaas: 'IaaS', devops: 'DevOps', devsecops: 'DevSecOps', mlops: 'MLOps', finops: 'FinOps', revops: 'RevOps',
  ios: 'iOS', phd: 'PhD', ecommerce: 'eCommerce', fintech: 'FinTech', martech: 'MarTech', adtech: 'AdTech', edtech: 'EdTech',
  javascript: 'JavaScript', typescript: 'TypeScript', salesforce: 'Salesforce',
};

/** Joining words that stay lower-case after the first word. */
const SMALL_WORDS: ReadonlySet<string> = new Set(['a', 'an', 'and', 'at', 'by', 'for', 'in', 'of', 'on', 'the', 'to', 'vs', 'with', '&']);

function caseSegment(segment: string, first: boolean): string {
  const lower = segment.toLowerCase();
  if (SPELLINGS[lower] !== undefined) return SPELLINGS[lower];
  if (ACRONYMS.has(lower)) return lower.toUpperCase();
  if (!first && SMALL_WORDS.has(lower)) return lower;
  // A brand or name cased by hand: McKinsey, PowerPoint, LinkedIn, eBay, iPhone (not "pReSiDeNt").
  if (/^\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)+$|^\p{Ll}\p{Lu}\p{Ll}{2,}$/u.test(segment)) return segment;
  const [head, ...rest] = [...lower];
  return upperChar(head) + rest.join('');
}

/**
 * A job title cased for display: "vp of SALES" → "VP of Sales", "co-founder & ceo" →
 * "Co-Founder & CEO", "svp, saas partnerships" → "SVP, SaaS Partnerships", "Data Scientist ii"
 * → "Data Scientist II". Acronyms in capitals, settled spellings kept (SaaS, DevOps, iOS), joining
 * words lower-case after the first word, hand-cased brands kept (McKinsey). Unicode letters are
 * cased, never dropped ("ÉQUIPE" → "Équipe").
 */
export function caseTitle(input: unknown): string | null {
  const text = cleanText(input);
  if (text === null) return null;
  let index = 0;
  // Segments are runs of letters, digits and the joiners inside acronyms (R&D, FP&A) and names (O'Neil).
  return text
    .replace(/[\p{L}\p{M}\p{N}]+(?:[&'’][\p{L}\p{M}\p{N}]+)*|&/gu, (segment) => caseSegment(segment, index++ === 0))
    .normalize('NFC');
}

/**
 * Whole words or phrases, matched on the accent-folded lower-case title. JavaScript's `\b` knows
 * only ASCII letters (it would find "sales" inside "ısales"), so word edges are any letter or digit.
 */
const words = (alternatives: string): RegExp => new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, 'u');
const titleKey = (title: string | null | undefined): string | null => {
  const text = cleanText(title);
  return text === null ? null : foldAccents(text);
};

const ASSISTANT_TO_EXECUTIVE = words('(?:assistant|ea|pa) (?:to|of) (?:the )?(?:ceo|cfo|coo|cto|founder|president|chief)');
const CHIEF_OF_STAFF = words('chief of staff');
const VICE_PRESIDENT = words('vice[\\s-]*president');
const OWNER = words('owner');
const NOT_THE_OWNER = words('(?:product|process|account|data|service|business|system|content) owner');
const C_LEVEL = words(
  'chief|ceo|cto|cfo|coo|cmo|cio|ciso|cro|cpo|cdo|chro|cxo|(?:co-?)?founder|president|managing (?:director|partner)|geschaftsfuhrer(?:in)?|pdg|directeur general|director general|fundadora?|fondat(?:eur|rice)|grunder(?:in)?',
);
const VP = words('vp|svp|evp|avp|head of|bereichsleiter(?:in)?');
const DIRECTOR = words('director|directeur|directrice|directora|direktor(?:in)?|leiter(?:in)?');
const MANAGER = words('manager|lead|leader|supervisor|team ?lead|gerente|responsable|jefe|teamleiter(?:in)?');

/**
 * Seniority from a title. Vice presidents are `vp`, not C-level; "Owner" is C-level unless it
 * is a Product/Process/Account Owner; assistants to an executive are not the executive.
 */
export function seniorityOf(title: string | null | undefined): Seniority | null {
  const t = titleKey(title);
  if (t === null) return null;
  if (ASSISTANT_TO_EXECUTIVE.test(t)) return 'individual';
  if (CHIEF_OF_STAFF.test(t)) return 'director';
  const vicePresident = VICE_PRESIDENT.test(t);
  const owner = OWNER.test(t) && !NOT_THE_OWNER.test(t);
  if (!vicePresident && (owner || C_LEVEL.test(t))) return 'c_level';
  if (vicePresident || VP.test(t)) return 'vp';
  if (DIRECTOR.test(t)) return 'director';
  if (MANAGER.test(t)) return 'manager';
  return 'individual';
}

/**
 * Keywords per function. The function is the one whose keyword comes first in the title
 * ("VP of Sales & Marketing" → sales, "CTO & Co-Founder" → engineering, "Founder & CEO" →
 * executive), so a title that names its department first is read by that department.
 */
const FUNCTION_KEYWORDS: ReadonlyArray<[JobFunction, RegExp]> = [
  ['marketing', words('marketing|cmo|growth|brand|demand gen(?:eration)?|content|seo|sem|ppc|communications?|public relations|pr|social media|copywriter|events?|community')],
  ['sales', words('sales|cro|chief revenue|revenue|account executive|ae|business development|bd|sdr|bdr|key account|partnerships?|channel|inside sales|commercial|vertrieb|ventas|ventes|pre-?sales|solutions? (?:engineer|consultant)')],
  ['customer_success', words('customer success|csm|customer (?:support|service|experience|care)|cx|client (?:success|services)|support|onboarding|implementation|account manager|account management')],
  ['product', words('product(?! marketing)|cpo|chief product|scrum master|agile coach')],
  ['design', words('design(?:er)?|ux|ui|creative|art director|graphic|illustrator|user research(?:er)?')],
  ['engineering', words('engineer(?:ing)?|developer|development|software|cto|devops|devsecops|sre|programmer|architect|data scien(?:ce|tist)|machine learning|ml|ai|qa|tester|full[\\s-]?stack|front[\\s-]?end|back[\\s-]?end|mobile|ios|android|data engineer|r&d|technical|technology|tech')],
  ['it', words('it|cio|ciso|chief information|information technology|information security|infosec|security|system administrator|sysadmin|network|help ?desk|infrastructure|ict')],
  ['finance', words('finance|financial|cfo|accounting|accountant|controller|controlling|treasury|fp&a|audit(?:or)?|tax|bookkeeper|payroll|investor relations|cpa|cfa')],
  ['hr', words('hr|hrbp|human resources|people|talent|recruit(?:er|ing|ment)?|chro|learning (?:and|&) development|l&d|dei|compensation|benefits')],
  ['legal', words('legal|counsel|lawyer|attorney|compliance|paralegal|solicitor|privacy|notary|jurist')],
  ['operations', words('operations|operating|ops|coo|logistics|supply chain|procurement|purchasing|facilities|project manager|program(?:me)? manager|office manager|administration|administrative|executive assistant|business analyst')],
  ['executive', words('ceo|chief executive|(?:co-?)?founder|owner|(?<!vice[\\s-]*)president|managing director|managing partner|general manager|gm|board member|chairman|chairwoman|chair|geschaftsfuhrer(?:in)?|pdg|directeur general|chief of staff')],
];

/** The department a title works in; `other` when no keyword matches, null without a title. */
export function jobFunctionOf(title: string | null | undefined): JobFunction | null {
  const t = titleKey(title);
  if (t === null) return null;
  let best: { fn: JobFunction; at: number } | null = null;
  for (const [fn, pattern] of FUNCTION_KEYWORDS) {
    const match = pattern.exec(t);
    if (match && (best === null || match.index < best.at)) best = { fn, at: match.index };
  }
  return best?.fn ?? 'other';
}
