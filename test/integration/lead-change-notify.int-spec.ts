import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { LEAD_CHANGED_CHANNEL } from '../../apps/ingest/src/lead-events.service';
import { TestEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

/**
 * The trigger behind ingest's live lead status, on real PostgreSQL with the real migrations:
 * a notification per lead whose status or score a committed statement changed, none for the
 * rest. Each case ends with a sentinel change, so "nothing else was sent" is checked once the
 * sentinel has arrived (notifications come in commit order), not after a sleep.
 */
describe('lead change notifications', () => {
  const env = new TestEnv();
  let listener: Client;
  const received: string[] = [];

  beforeAll(async () => {
    await env.setUp();
    listener = new Client({ connectionString: env.databaseUrl });
    await listener.connect();
    listener.on('notification', (message) => {
      if (message.channel === LEAD_CHANGED_CHANNEL) received.push(message.payload ?? '');
    });
    await listener.query(`LISTEN ${LEAD_CHANGED_CHANNEL}`);
  }, 60_000);

  afterAll(async () => {
    await listener?.end();
    await env.dispose();
  }, 60_000);

  async function insertLeads(count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, () => randomUUID());
    await env.db.query(
      `INSERT INTO leads (id, identity_key, status, reasons, source, received_at, updated_at)
       SELECT id, 'email:' || id || '@notify.example', 'received', '[]'::jsonb, 'api', now(), now() FROM unnest($1::uuid[]) AS id`,
      [ids],
    );
    return ids;
  }

  /** Changes a fresh lead and waits for its notification; returns what arrived since `from`, the sentinel's excluded. */
  async function untilSentinel(from: number): Promise<string[]> {
    const [sentinel] = await insertLeads(1);
    await env.db.query(`UPDATE leads SET status = 'enriched' WHERE id = $1`, [sentinel]);
    await waitFor(() => received.includes(sentinel), { timeoutMs: 10_000, what: 'the sentinel notified' });
    return received.slice(from, received.indexOf(sentinel));
  }

  it('notifies each lead whose status or score one statement changed, once', async () => {
    const ids = await insertLeads(4);
    const from = received.length;
    await env.db.query(
      `UPDATE leads SET status = CASE WHEN id = $2 THEN status ELSE 'enriched' END, score = CASE WHEN id = $3 THEN 90 ELSE score END,
                        updated_at = now()
        WHERE id = ANY($1::uuid[])`,
      [ids, ids[0], ids[0]],
    );
    // ids[0] changes only its score, the others only their status.
    expect((await untilSentinel(from)).sort()).toEqual([...ids].sort());
  });

  it('notifies nothing for an update that leaves status and score, a rolled-back one, or an upsert whose condition fails', async () => {
    const [quiet, rolledBack, stale] = await insertLeads(3);
    const from = received.length;
    await env.db.query(`UPDATE leads SET status_reason = 'touched', updated_at = now() WHERE id = $1`, [quiet]);
    await env.db
      .transaction(async (tx) => {
        await tx.query(`UPDATE leads SET status = 'invalid' WHERE id = $1`, [rolledBack]);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await env.db.query(
      `INSERT INTO leads (id, identity_key, status, reasons, source, received_at, updated_at)
       VALUES ($1, 'email:stale@notify.example', 'enriched', '[]'::jsonb, 'api', now(), now())
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status WHERE false`,
      [stale],
    );
    expect(await untilSentinel(from)).toEqual([]);
  });
});
