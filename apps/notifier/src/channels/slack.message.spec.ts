import type { OpsAlert } from '@leadpipe/contracts';
import type { LeadDelivery } from './channel';
import { escapeMrkdwn, slackAlertMessage, slackLeadMessage } from './slack.message';

const delivery = (lead: Partial<LeadDelivery['lead']> = {}, url: string | null = 'https://crm.example/leads/7d0c1a52'): LeadDelivery => ({
  id: 'd-1',
  rule: 'dach-decision-makers',
  url,
  lead: {
    leadId: '7d0c1a52-4a0f-4d8e-9a51-2f1c9a0e6b11',
    score: 91,
    tier: 'A',
    fullName: 'Jane Doe',
    email: 'jane@acme.com',
    title: 'VP Sales',
    companyName: 'Acme GmbH',
    companyDomain: 'acme.com',
    country: 'DE',
    industry: 'Software Development',
    seniority: 'vp',
    linkedinUrl: 'https://www.linkedin.com/in/jane-doe',
    ...lead,
  },
});

const fieldTexts = (message: ReturnType<typeof slackLeadMessage>) =>
  (message.blocks[1].fields as Array<{ text: string }>).map((f) => f.text);

describe('slackLeadMessage', () => {
  it('shows the key facts, the matched rule and the link to the lead', () => {
    const message = slackLeadMessage(delivery());
    expect(message.text).toBe('High-value lead: Jane Doe, VP Sales at Acme GmbH (score 91, tier A)');
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Jane Doe (score 91, tier A)', emoji: false } });
    expect(fieldTexts(message)).toEqual([
      '*Score*\n91 (tier A)',
      '*Title*\nVP Sales (VP)',
      '*Company*\nAcme GmbH (acme.com)',
      '*Industry*\nSoftware Development',
      '*Country*\nGermany (DE)',
      '*E-mail*\njane@acme.com',
    ]);
    expect(message.blocks[2]).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'Rule *dach-decision-makers*  ·  <https://crm.example/leads/7d0c1a52|Open the lead>  ·  <https://www.linkedin.com/in/jane-doe|LinkedIn>',
        },
      ],
    });
  });

  it('leaves out what the lead lacks, and names it by e-mail without a name', () => {
    const message = slackLeadMessage(delivery({ fullName: null, title: null, companyName: null, industry: null, country: null, tier: null, linkedinUrl: null }, null));
    expect(message.text).toBe('High-value lead: jane@acme.com, at acme.com (score 91)');
    expect(fieldTexts(message)).toEqual(['*Score*\n91', '*Company*\nacme.com', '*E-mail*\njane@acme.com']);
    expect(message.blocks[2]).toMatchObject({ elements: [{ text: 'Rule *dach-decision-makers*' }] });
  });

  it('escapes what Slack would read as markup', () => {
    expect(escapeMrkdwn('R&D <script>')).toBe('R&amp;D &lt;script&gt;');
    expect(fieldTexts(slackLeadMessage(delivery({ companyName: 'A<b>&Co', companyDomain: null })))).toContain('*Company*\nA&lt;b&gt;&amp;Co');
  });
});

describe('slackAlertMessage', () => {
  it('puts severity, kind and source first, then the message', () => {
    const alert: OpsAlert = {
      schemaVersion: 1,
      eventId: 'f1b3c2d4-0000-4000-8000-000000000001',
      kind: 'provider_out_of_credits',
      severity: 'critical',
      source: 'enricher',
      message: 'Netrows answered 402: out of credits',
      raisedAt: '2026-01-01T00:00:00.000Z',
    };
    const message = slackAlertMessage(alert);
    expect(message.text).toBe('critical: provider_out_of_credits from enricher: Netrows answered 402: out of credits');
    expect(message.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: ':red_circle: *provider_out_of_credits* (critical) from enricher\nNetrows answered 402: out of credits' },
    });
  });
});
