import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, IngestEnv } from '@leadpipe/config';
import { LeadReceived } from '@leadpipe/contracts';
import { EventPublisher } from '@leadpipe/kafka';
import { IngestMetrics } from './ingest.metrics';

interface OutboxRow {
  id: string;
  topic_key: 'leadReceived' | 'leadReceivedPriority';
  message_key: string | null;
  payload: LeadReceived;
  headers: Record<string, string>;
}

/**
 * Moves received events from the outbox table to Kafka. Rows are locked with SKIP LOCKED so
 * every ingest replica can relay; a row is deleted only after the broker acknowledged it, so
 * a crash in between re-sends it (consumers are idempotent) and never loses it.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelayService.name);
  private stopping = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastError: string | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: EventPublisher,
    @Inject(APP_CONFIG) private readonly config: IngestEnv,
    private readonly metrics: IngestMetrics,
  ) {}

  /** False while the relay cannot reach the broker: leads still accepted, delivery delayed. */
  get healthy(): boolean {
    return this.lastError === null;
  }

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  /** Relays one batch; returns how many events went out. */
  async relayOnce(): Promise<number> {
    const sent = await this.db.transaction(async (tx) => {
      const rows: OutboxRow[] = await tx.query(
        `SELECT id, topic_key, message_key, payload, headers FROM outbox
          WHERE topic_key IN ('leadReceived', 'leadReceivedPriority')
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.config.INGEST_OUTBOX_BATCH_SIZE],
      );
      if (rows.length === 0) return 0;
      // Priority first: those leads are waited for.
      for (const topicKey of ['leadReceivedPriority', 'leadReceived'] as const) {
        const group = rows.filter((r) => r.topic_key === topicKey);
        await this.publisher.publish(
          topicKey,
          group.map((r) => ({ key: r.message_key, value: r.payload, headers: r.headers })),
        );
      }
      await tx.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
    // Counted once the deletes committed: a rolled-back batch is sent again and counted then.
    this.metrics.outboxRelayed.inc(sent);
    return sent;
  }

  private async run(): Promise<void> {
    let backoff = this.config.INGEST_OUTBOX_POLL_MS;
    while (!this.stopping) {
      let sent = 0;
      try {
        sent = await this.relayOnce();
        if (this.lastError) this.logger.log('outbox relay recovered');
        this.lastError = null;
        backoff = this.config.INGEST_OUTBOX_POLL_MS;
      } catch (error) {
        this.metrics.outboxRelayFailures.inc();
        const message = error instanceof Error ? error.message : String(error);
        if (this.lastError !== message) this.logger.error(`outbox relay failed, will retry: ${message}`);
        this.lastError = message;
        backoff = Math.min(backoff * 2, 5_000);
      }
      if (sent === 0 && !this.stopping) await this.pause(backoff);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
