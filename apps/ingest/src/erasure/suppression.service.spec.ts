import type { EntityManager } from 'typeorm';
import type { IngestEnv } from '@leadpipe/config';
import { suppressionHash } from '@leadpipe/persistence';
import { IdentitySuppressedError, SuppressionService } from './suppression.service';

const PEPPER = 'test-pepper-0123456789';

/** A transaction that finds `listed` identity keys on the list. */
function fakeTx(listed: string[]) {
  const listedHashes = new Set(listed.map((key) => suppressionHash(key, PEPPER)));
  const query = jest.fn(async (sql: string, params: unknown[] = []) => {
    if (sql.includes('FROM suppressions')) {
      return (params[0] as string[]).filter((hash) => listedHashes.has(hash)).map((identity_hash) => ({ identity_hash }));
    }
    return [];
  });
  return { tx: { query } as unknown as EntityManager };
}

describe('SuppressionService', () => {
  const service = new SuppressionService({ SUPPRESSION_PEPPER: PEPPER } as IngestEnv);

  it('hashes with the configured pepper', () => {
    expect(service.hash('email:jane@acme.com')).toBe(suppressionHash('email:jane@acme.com', PEPPER));
  });

  it('finds a lead by either identity, in any spelling', async () => {
    const { tx } = fakeTx(['email:jane@acme.com', 'linkedin:jane-doe']);
    const leads = [
      { email: 'someone@else.com' },
      { email: ' JANE@Acme.com ' },
      { linkedinUrl: 'https://www.linkedin.com/in/Jane-Doe/?trk=x' },
      { email: 'other@acme.com', linkedinUrl: 'linkedin.com/in/jane-doe' },
      { linkedinUrl: 'linkedin.com/in/john' },
    ];
    expect(await service.suppressedIndexes(tx, leads)).toEqual([1, 2, 3]);
  });

  it('refuses a batch naming the suppressed leads by position, whichever of their identities is listed', () => {
    const hashesByLead = service.hashesOf([{ email: 'ok@acme.com' }, { email: 'jane@acme.com', linkedinUrl: 'linkedin.com/in/jane' }, { linkedinUrl: 'linkedin.com/in/john' }]);
    expect(hashesByLead.map((hashes) => hashes.length)).toEqual([1, 2, 1]);
    const refusal = () => service.refuseAmong(hashesByLead, new Set([suppressionHash('linkedin:john', PEPPER), suppressionHash('linkedin:jane', PEPPER)]));
    expect(refusal).toThrow(IdentitySuppressedError);
    expect(refusal).toThrow(expect.objectContaining({ indexes: [1, 2] }));
  });

  it('lets leads through when none is suppressed', () => {
    expect(() => service.refuseAmong(service.hashesOf([{ email: 'ok@acme.com' }]), new Set([suppressionHash('email:jane@acme.com', PEPPER)]))).not.toThrow();
  });
});
