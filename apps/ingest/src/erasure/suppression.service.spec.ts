import type { EntityManager } from 'typeorm';
import type { IngestEnv } from '@leadpipe/config';
import { suppressionHash } from '@leadpipe/persistence';
import { IdentitySuppressedError, SuppressionService } from './suppression.service';

const PEPPER = 'test-pepper-0123456789';

/** A transaction that records its statements and finds `listed` identity keys on the list. */
function fakeTx(listed: string[]) {
  const statements: string[] = [];
  const listedHashes = new Set(listed.map((key) => suppressionHash(key, PEPPER)));
  const query = jest.fn(async (sql: string, params: unknown[] = []) => {
    statements.push(sql.trim().split(/\s+/).slice(0, 2).join(' '));
    if (sql.includes('FROM suppressions')) {
      return (params[0] as string[]).filter((hash) => listedHashes.has(hash)).map((identity_hash) => ({ identity_hash }));
    }
    return [];
  });
  return { tx: { query } as unknown as EntityManager, statements };
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

  it('refuses inside the transaction, after taking the erasure lock, naming the positions', async () => {
    const { tx, statements } = fakeTx(['email:jane@acme.com']);
    const refusal = service.refuseSuppressed(tx, [{ email: 'ok@acme.com' }, { email: 'jane@acme.com' }]);
    await expect(refusal).rejects.toBeInstanceOf(IdentitySuppressedError);
    await expect(refusal).rejects.toMatchObject({ indexes: [1] });
    expect(statements[0]).toBe('SELECT pg_advisory_xact_lock_shared($1::bigint)');
  });

  it('lets leads through when none is suppressed', async () => {
    const { tx } = fakeTx([]);
    await expect(service.refuseSuppressed(tx, [{ email: 'ok@acme.com' }])).resolves.toBeUndefined();
  });
});
