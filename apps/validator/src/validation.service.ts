import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { v5 as uuidv5 } from 'uuid';
import { APP_CONFIG, ValidatorEnv } from '@leadpipe/config';
import { identityKeysOf, LeadEnriched, LeadValidated } from '@leadpipe/contracts';
import { ConsumedEvent, EventPublisher, forwardHeaders, OutgoingEvent, Outcome, processed, skipped } from '@leadpipe/kafka';
import { jsonbArrayParam, suppressionHash, transactionAgainstErasure } from '@leadpipe/persistence';
import { NetrowsCompany, NetrowsPerson } from '@leadpipe/netrows';
import { invalidReasons, normaliseCompany, normalisePerson } from './lead-normaliser';
import { ScorePart, scoreLead } from './lead-scorer';
import { SCORING_RULES, ScoringRules } from './scoring-rules';
import { effectiveInput, provenanceOf, StoredInput } from './write-policy';
import { analyseEmail } from './normalise/email';
import { flagsOf, reasonOf } from './normalise/flags';
import { normaliseLinkedinProfileUrl } from './normalise/linkedin';
import { caseName, fullNameOf } from './normalise/names';

const EVENT_NAMESPACE = '0d7f3c1e-2b6a-4f0e-9a51-6c8e2d4b7a90';

interface Row {
  event: ConsumedEvent<LeadEnriched>;
  validated: LeadValidated;
  /** Why the lead has its status (`invalid`, `not_found`); flags alone do not make one. */
  statusReason: string | null;
  /** Null when the lead has no score (not enriched). */
  scoreBreakdown: ScorePart[] | null;
  /** The input the lead is judged on and stored with (the stored one when the lead is known). */
  input: LeadEnriched['lead'];
  /** When that input was given. */
  inputReceivedAt: Date | string;
  person: ReturnType<typeof normalisePerson>;
  company: ReturnType<typeof normaliseCompany>;
}

/**
 * Cleans, scores and stores enriched leads. A slice is written in one transaction (lead,
 * enrichment and the raw answer's history row together), idempotently: a redelivered event
 * rewrites the same values and adds no history row, and an older enrichment never replaces a
 * newer one (neither on the enrichment nor on the lead's status and score); such a stale event
 * is recorded in the history only and not passed on.
 *
 * Write policy: the lead's input (e-mail, names, company domain, LinkedIn URL) is written once,
 * when the validator first sees the lead, and never overwritten; provider fields are replaced
 * as a whole by a newer enrichment. `enrichments.provenance` says which is which, and when.
 *
 * A lead whose person was erased is neither stored nor passed on: its upsert would bring the
 * erased rows back. The transaction holds the erasure lock shared, so an erasure either runs
 * before it (and its suppressions are seen here) or after it (and removes what it stored).
 */
@Injectable()
export class ValidationService {
  private readonly logger = new Logger(ValidationService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: EventPublisher,
    @Inject(APP_CONFIG) private readonly config: ValidatorEnv,
    @Inject(SCORING_RULES) private readonly rules: ScoringRules,
  ) {}

  async validateBatch(events: ConsumedEvent<LeadEnriched>[]): Promise<Outcome[]> {
    const hashesOf = events.map((event) =>
      [...new Set([event.value.identityKey, ...identityKeysOf(event.value.lead)])].map((key) => suppressionHash(key, this.config.SUPPRESSION_PEPPER)),
    );
    let erased = new Set<number>();
    const stale = new Set<number>();
    let rows: Row[] = [];
    await transactionAgainstErasure(this.db, async (tx) => {
      // The suppressed identities among the slice's and the leads already stored, in one round trip.
      const found: Array<(StoredInput & { id: string; identity_hash: null }) | { id: null; identity_hash: string }> = await tx.query(
        `SELECT id, email, first_name, last_name, company_domain, linkedin_url, received_at, NULL AS identity_hash
           FROM leads WHERE id = ANY($1::uuid[])
         UNION ALL
         SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, identity_hash FROM suppressions WHERE identity_hash = ANY($2::text[])`,
        [[...new Set(events.map((event) => event.value.leadId))], [...new Set(hashesOf.flat())]],
      );
      const suppressed = new Set(found.flatMap((row) => (row.id === null ? [row.identity_hash] : [])));
      erased = new Set(hashesOf.flatMap((hashes, i) => (hashes.some((hash) => suppressed.has(hash)) ? [i] : [])));
      const stored = new Map(found.flatMap((row) => (row.id === null ? [] : [[row.id, row] as const])));
      rows = events.map((event) => this.evaluate(event, stored.get(event.value.leadId)));
      // Multi-row statements, one set per round: a round holds each lead at most once (an
      // upsert cannot touch one row twice), so copies of one lead in a slice are written in
      // their order, as one statement per event would.
      for (const round of rounds(rows.map((row, i) => ({ row, i })).filter(({ i }) => !erased.has(i)))) {
        await this.storeRound(tx, round, stale);
      }
    });
    const outgoing: OutgoingEvent<'leadValidated'>[] = rows
      .filter((_, i) => !erased.has(i) && !stale.has(i))
      .map(({ event, validated }) => ({
        key: event.value.identityKey,
        value: validated,
        headers: forwardHeaders(event),
      }));
    await this.publisher.publish('leadValidated', outgoing);
    return rows.map(({ event }, i) => {
      if (erased.has(i)) {
        this.logger.log({ msg: 'lead not stored: its person was erased', leadId: event.value.leadId });
        return skipped('person erased: identity suppressed');
      }
      if (stale.has(i)) {
        this.logger.log({ msg: 'enrichment older than the stored one: kept in the history only', leadId: event.value.leadId });
        return skipped('stale: a newer enrichment of the lead is stored');
      }
      return processed();
    });
  }

  /**
   * Writes one round (distinct leads) in one statement, whatever the round's size: the leads
   * upserted (input columns on insert only; status and score only with an enrichment at least
   * as new as the stored one), the raw answers into the history, and the enrichments of the
   * leads whose upsert took effect (the others are stale). The rows travel as one JSON array
   * (`jsonb_to_recordset`), so each provider answer is serialised, sent and parsed once, not
   * escaped into array literals or sent again for the second table. The statement's parts see
   * one snapshot: the staleness test reads the enrichments as they were before it, and the
   * foreign keys of a new lead's enrichment are checked at its end, once the lead is in.
   */
  private async storeRound(tx: EntityManager, round: Array<{ row: Row; i: number }>, stale: Set<number>): Promise<void> {
    const input = round.map(({ row }) => {
      const e = row.event.value;
      // A disqualified lead was never looked up: it has no answer or enrichment to store.
      const looked = e.outcome !== 'disqualified';
      const personRow = looked && row.person ? snakeCase(row.person) : null;
      const companyRow = looked && row.company ? snakeCase(row.company) : null;
      return {
        id: e.leadId,
        identity_key: e.identityKey,
        status: row.validated.status,
        status_reason: row.statusReason,
        reasons: row.validated.reasons,
        score: row.validated.score,
        score_breakdown: row.scoreBreakdown ?? null,
        email: e.lead.email ?? null,
        first_name: e.lead.firstName ?? null,
        last_name: e.lead.lastName ?? null,
        company_domain: e.lead.companyDomain ?? null,
        linkedin_url: e.lead.linkedinUrl ?? null,
        received_at: e.receivedAt,
        enriched_at: e.enrichedAt,
        looked,
        event_id: e.eventId,
        provider: e.provider,
        outcome: e.outcome,
        provider_calls: e.providerCalls,
        person: personRow,
        company: companyRow,
        raw_person: looked ? e.person : null,
        raw_company: looked ? e.company : null,
        provenance: looked
          ? provenanceOf({
              input: row.input,
              receivedAt: row.inputReceivedAt,
              provider: e.provider,
              fetchedAt: e.enrichedAt,
              person: personRow,
              company: companyRow,
            })
          : null,
      };
    });
    const written: Array<{ id: string }> = await tx.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS t(id uuid, identity_key text, status text, status_reason text, reasons jsonb, score int, score_breakdown jsonb, email text,
                first_name text, last_name text, company_domain text, linkedin_url text, received_at timestamptz, enriched_at timestamptz,
                looked boolean, event_id uuid, provider text, outcome text, provider_calls int, person jsonb, company jsonb,
                raw_person jsonb, raw_company jsonb, provenance jsonb)
       ),
       written AS (
         INSERT INTO leads AS l (id, identity_key, status, status_reason, reasons, score, score_breakdown, email, first_name, last_name,
                                 company_domain, linkedin_url, source, received_at, updated_at)
         SELECT id, identity_key, status, status_reason, reasons, score, score_breakdown, email, first_name, last_name,
                company_domain, linkedin_url, 'kafka', received_at, now()
           FROM input
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, status_reason = EXCLUDED.status_reason,
           reasons = EXCLUDED.reasons, score = EXCLUDED.score, score_breakdown = EXCLUDED.score_breakdown, updated_at = now()
         WHERE NOT EXISTS (SELECT 1 FROM enrichments en JOIN input i ON i.id = en.lead_id WHERE en.lead_id = l.id AND en.fetched_at > i.enriched_at)
         RETURNING l.id
       ),
       history AS (
         INSERT INTO enrichment_history (lead_id, event_id, provider, outcome, fetched_at, raw_person, raw_company)
         SELECT id, event_id, provider, outcome, enriched_at, raw_person, raw_company FROM input WHERE looked
         ON CONFLICT (event_id) DO NOTHING
       ),
       enriched AS (
         INSERT INTO enrichments (lead_id, provider, outcome, provider_calls, fetched_at, person, company,
                                  raw_person, raw_company, provenance, event_id, updated_at)
         SELECT i.id, i.provider, i.outcome, i.provider_calls, i.enriched_at, i.person, i.company, i.raw_person, i.raw_company,
                i.provenance, i.event_id, now()
           FROM input i JOIN written w ON w.id = i.id
          WHERE i.looked
         ON CONFLICT (lead_id) DO UPDATE SET provider = EXCLUDED.provider, outcome = EXCLUDED.outcome,
           provider_calls = EXCLUDED.provider_calls, fetched_at = EXCLUDED.fetched_at, person = EXCLUDED.person,
           company = EXCLUDED.company, raw_person = EXCLUDED.raw_person, raw_company = EXCLUDED.raw_company,
           provenance = EXCLUDED.provenance, event_id = EXCLUDED.event_id, updated_at = now()
         WHERE enrichments.fetched_at <= EXCLUDED.fetched_at
       )
       SELECT id FROM written`,
      [jsonbArrayParam(input)],
    );
    const writtenIds = new Set(written.map((w) => w.id));
    for (const { row, i } of round) if (!writtenIds.has(row.event.value.leadId)) stale.add(i);
  }

  private evaluate(event: ConsumedEvent<LeadEnriched>, stored: StoredInput | undefined, now = new Date()): Row {
    const e = { ...event.value, lead: effectiveInput(stored, event.value.lead) };
    const rawPerson = e.person as NetrowsPerson | null;
    const person = normalisePerson(rawPerson);
    const company = normaliseCompany(e.company as NetrowsCompany | null);
    const email = e.lead.email ? analyseEmail(e.lead.email) : null;
    const invalid = invalidReasons(e.lead);
    const status = e.outcome === 'disqualified' || invalid.length > 0 ? 'invalid' : e.outcome;
    // The reasons for the status come first (the lead's status_reason), the flags after them.
    const statusReasons = e.outcome === 'disqualified' ? [...e.reasons] : invalid;
    if (status === 'not_found') {
      statusReasons.push(
        email?.freeMail && !e.lead.linkedinUrl ? 'free-mail address: the provider cannot look it up' : 'provider has no profile for this identity',
      );
    }
    const flags = flagsOf({
      lead: e.lead,
      email,
      person: rawPerson,
      companyDomain: company?.domain ?? null,
      fetchedAt: e.enrichedAt,
      now,
      staleAfterDays: this.config.VALIDATOR_STALE_AFTER_DAYS,
    });
    const reasons = [...statusReasons, ...flags.map(reasonOf)];
    const hasWorkEmail = email !== null && !email.freeMail && !email.disposable;
    const score = status === 'enriched' ? scoreLead(person, company, hasWorkEmail, this.rules) : null;
    const validated: LeadValidated = {
      schemaVersion: 1,
      eventId: uuidv5(`${e.eventId}:validated`, EVENT_NAMESPACE),
      leadId: e.leadId,
      identityKey: e.identityKey,
      status,
      score: score?.total ?? null,
      reasons,
      summary: {
        fullName: person?.fullName ?? fullNameOf(caseName(e.lead.firstName), caseName(e.lead.lastName)),
        email: email?.address ?? e.lead.email ?? null,
        title: person?.title ?? null,
        companyName: company?.name ?? person?.companyName ?? null,
        companyDomain: company?.domain ?? e.lead.companyDomain ?? null,
        country: person?.countryCode ?? null,
        linkedinUrl: person?.linkedinUrl ?? normaliseLinkedinProfileUrl(e.lead.linkedinUrl),
      },
      validatedAt: now.toISOString(),
    };
    return {
      event,
      validated,
      statusReason: statusReasons[0] ?? null,
      scoreBreakdown: score?.breakdown ?? null,
      input: e.lead,
      inputReceivedAt: stored?.received_at ?? e.receivedAt,
      person,
      company,
    };
  }
}

/** Splits items into rounds in which each lead appears at most once, keeping each lead's copies in order. */
function rounds<T extends { row: Row }>(items: T[]): T[][] {
  const out: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const id = item.row.event.value.leadId;
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    (out[n] ??= []).push(item);
  }
  return out;
}

/** camelCase → snake_case, per field name: the normalised person and company have a fixed set of them. */
const snakeKeys = new Map<string, string>();

/** Stored JSON uses the API's field names (snake_case). */
export function snakeCase(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    let key = snakeKeys.get(k);
    if (key === undefined) {
      key = k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      if (snakeKeys.size < 1_000) snakeKeys.set(k, key);
    }
    out[key] = v;
  }
  return out;
}
