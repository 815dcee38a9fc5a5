import type { OpsAlert } from '@leadpipe/contracts';
import type { LeadDelivery } from './channel';

/** The part of Slack's message payload we use: fallback text (notifications, screen readers) and Block Kit blocks. */
export interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** Slack's mrkdwn treats these three as control characters in any text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const SENIORITY_LABELS: Record<string, string> = {
  c_level: 'C-level',
  vp: 'VP',
  director: 'Director',
  manager: 'Manager',
  individual: 'Individual contributor',
};

/**
 * "Jane Doe, VP Sales at Acme — score 91 (tier A)" as a header, the lead's key facts as fields,
 * and the matched rule and the link to the lead underneath.
 */
export function slackLeadMessage(delivery: LeadDelivery): SlackMessage {
  const { lead } = delivery;
  const name = lead.fullName ?? lead.email ?? lead.linkedinUrl ?? `Lead ${lead.leadId}`;
  const company = lead.companyName ?? lead.companyDomain;
  const role = [lead.title, company && `at ${company}`].filter(Boolean).join(' ');
  const grade = `score ${lead.score}${lead.tier ? `, tier ${lead.tier}` : ''}`;
  const text = `High-value lead: ${name}${role ? `, ${role}` : ''} (${grade})`;

  const facts: Array<[string, string | null]> = [
    ['Score', `${lead.score}${lead.tier ? ` (tier ${lead.tier})` : ''}`],
    ['Title', lead.title && (lead.seniority ? `${lead.title} (${SENIORITY_LABELS[lead.seniority] ?? lead.seniority})` : lead.title)],
    ['Company', company && (lead.companyDomain && lead.companyDomain !== company ? `${company} (${lead.companyDomain})` : company)],
    ['Industry', lead.industry],
    ['Country', lead.country && countryLabel(lead.country)],
    ['E-mail', lead.email],
  ];
  const links = [delivery.url && `<${delivery.url}|Open the lead>`, lead.linkedinUrl && `<${lead.linkedinUrl}|LinkedIn>`].filter(Boolean);

  return {
    text: escapeMrkdwn(text),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(`${name} (${grade})`, 150), emoji: false } },
      {
        type: 'section',
        fields: facts
          .filter((fact): fact is [string, string] => Boolean(fact[1]))
          .map(([label, value]) => ({ type: 'mrkdwn', text: truncate(`*${label}*\n${escapeMrkdwn(value)}`, 2000) })),
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: [`Rule *${escapeMrkdwn(delivery.rule)}*`, ...links].join('  ·  ') }],
      },
    ],
  };
}

const SEVERITY_ICONS: Record<OpsAlert['severity'], string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_green_circle:',
};

/** An operator alert: severity, kind and source on one line, the message below. */
export function slackAlertMessage(alert: OpsAlert): SlackMessage {
  const headline = `${SEVERITY_ICONS[alert.severity]} *${alert.kind}* (${alert.severity}) from ${escapeMrkdwn(alert.source)}`;
  return {
    text: `${alert.severity}: ${alert.kind} from ${escapeMrkdwn(alert.source)}: ${escapeMrkdwn(alert.message)}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: truncate(`${headline}\n${escapeMrkdwn(alert.message)}`, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `raised ${alert.raisedAt} · alert ${alert.eventId}` }] },
    ],
  };
}

function countryLabel(code: string): string {
  try {
    const name = regionNames.of(code.toUpperCase());
    return name && name !== code.toUpperCase() ? `${name} (${code.toUpperCase()})` : code;
  } catch {
    return code;
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
