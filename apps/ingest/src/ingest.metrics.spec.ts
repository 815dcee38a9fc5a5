import { rejectionReason } from './ingest.metrics';
import { parseCreateLeadBody } from './create-lead.dto';

function reasonFor(body: unknown): string {
  const parsed = parseCreateLeadBody(body);
  if (parsed.ok) throw new Error('expected a rejection');
  return rejectionReason(parsed.errors);
}

describe('rejectionReason', () => {
  it.each([
    ['a body that is not an object', [1, 2], 'not_an_object'],
    ['no identity', { first_name: 'Jane' }, 'missing_identity'],
    ['a bad e-mail', { email: 'jane@' }, 'invalid_email'],
    ['a bad LinkedIn URL', { linkedin_url: 'https://example.com/jane' }, 'invalid_linkedin_url'],
    ['a bad domain', { email: 'jane@acme.com', company_domain: 'acme' }, 'invalid_company_domain'],
    ['an unknown field', { email: 'jane@acme.com', phone: '123' }, 'unknown_field'],
  ])('%s → %s', (_case, body, reason) => {
    expect(reasonFor(body)).toBe(reason);
  });

  it('never turns a client-chosen field name into a label value', () => {
    expect(rejectionReason([{ field: 'x'.repeat(100), reason: 'must be a string' }])).toBe('invalid_field');
  });
});
