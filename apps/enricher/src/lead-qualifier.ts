import { LeadInput } from '@leadpipe/contracts';
import { hostOf, isFreeMailDomain, registrableDomain } from '@leadpipe/netrows';

/** Which leads are worth a paid lookup. */
export interface QualificationRules {
  requireWorkEmail: boolean;
  requireName: boolean;
  /** Registrable domains (e-mail or company) that are never enriched. */
  denyDomains: ReadonlySet<string>;
}

export function qualificationRulesFrom(config: {
  ENRICHER_QUALIFY_REQUIRE_WORK_EMAIL: boolean;
  ENRICHER_QUALIFY_REQUIRE_NAME: boolean;
  ENRICHER_QUALIFY_DENY_DOMAINS: string;
}): QualificationRules {
  return {
    requireWorkEmail: config.ENRICHER_QUALIFY_REQUIRE_WORK_EMAIL,
    requireName: config.ENRICHER_QUALIFY_REQUIRE_NAME,
    denyDomains: new Set(
      config.ENRICHER_QUALIFY_DENY_DOMAINS.split(',')
        .map((d) => domainOf(d))
        .filter((d): d is string => d !== null),
    ),
  };
}

/** The reasons a lead fails the rules; empty when it qualifies. */
export function disqualifications(lead: LeadInput, rules: QualificationRules): string[] {
  const reasons: string[] = [];
  if (rules.requireWorkEmail && (!lead.email || isFreeMailDomain(lead.email))) {
    reasons.push('not qualified: no work e-mail address');
  }
  if (rules.requireName && !(lead.firstName && lead.lastName)) {
    reasons.push('not qualified: first and last name are required');
  }
  if (rules.denyDomains.size > 0) {
    const domains = new Set([lead.email ? domainOf(lead.email.slice(lead.email.lastIndexOf('@') + 1)) : null, lead.companyDomain ? domainOf(lead.companyDomain) : null]);
    for (const domain of domains) {
      if (domain && rules.denyDomains.has(domain)) reasons.push(`not qualified: domain ${domain} is excluded`);
    }
  }
  return reasons;
}

function domainOf(value: string): string | null {
  const host = hostOf(value.trim());
  return host ? registrableDomain(host) : null;
}
