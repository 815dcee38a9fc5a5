import { Inject, Injectable, Logger, MessageEvent, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import type { Response } from 'express';
import { filter, Observable, Subject } from 'rxjs';
import { APP_CONFIG, IngestEnv } from '@leadpipe/config';
import { LeadStatus, TERMINAL_STATUSES } from '@leadpipe/contracts';
import { LeadsService, LeadView } from './leads.service';

/** The PostgreSQL channel a trigger on `leads` notifies with the lead id (see the migration). */
export const LEAD_CHANGED_CHANNEL = 'leadpipe_lead_changed';
/** Sent to every stream after the listener reconnected: changes may have been missed meanwhile. */
const RESYNC = '*';
const KEEPALIVE_MS = 15_000;

/**
 * Live lead status for Server-Sent Events. One `LISTEN` connection per ingest replica hears
 * every status or score change (a trigger on `leads` notifies at commit, whichever service
 * wrote it); each stream re-reads its lead when it changed and sends it if it differs.
 */
@Injectable()
export class LeadEventsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LeadEventsService.name);
  private readonly changes = new Subject<string>();
  private client?: Client;
  private closing = false;
  private reconnectTimer?: NodeJS.Timeout;
  private failures = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: IngestEnv,
    private readonly leads: LeadsService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    this.changes.complete();
    await this.client?.end().catch(() => undefined);
  }

  /**
   * The lead's states as they change: a `status` event with the lead now, then one per change;
   * after a terminal state, a `done` event and the end of the stream (an EventSource client
   * should close on `done`, or it reconnects). `ping` events keep idle proxies from closing it.
   */
  watch(id: string): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let last = '';
      let checking = Promise.resolve();
      const check = (): void => {
        checking = checking.then(async () => {
          if (subscriber.closed) return;
          try {
            const lead = await this.leads.find(id);
            if (!lead) {
              subscriber.next({ type: 'deleted', data: { id } });
              subscriber.complete();
              return;
            }
            const seen = `${lead.status}|${lead.score}|${lead.updated_at}`;
            if (seen !== last) {
              last = seen;
              subscriber.next({ type: 'status', id: lead.updated_at, data: lead });
            }
            if (isTerminal(lead)) {
              subscriber.next({ type: 'done', data: { id, status: lead.status } });
              subscriber.complete();
            }
          } catch (error) {
            // The next change or resync tries again; the stream stays open.
            this.logger.warn(`lead ${id} could not be read for its event stream: ${String(error)}`);
          }
        });
      };
      // Listen first, then read: a change between the two is not missed.
      const subscription = this.changes.pipe(filter((changed) => changed === id || changed === RESYNC)).subscribe(check);
      check();
      const keepalive = setInterval(() => subscriber.next({ type: 'ping', data: '' }), KEEPALIVE_MS);
      return () => {
        clearInterval(keepalive);
        subscription.unsubscribe();
      };
    });
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'leadpipe-ingest-lead-events' });
    client.on('notification', (message) => {
      if (message.channel === LEAD_CHANGED_CHANNEL && message.payload) this.changes.next(message.payload);
    });
    client.on('error', (error) => this.logger.warn(`lead change listener failed: ${error.message}`));
    client.on('end', () => {
      if (this.client === client) this.reconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${LEAD_CHANGED_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      this.logger.warn(`lead change listener could not connect: ${String(error)}`);
      this.reconnect();
      return;
    }
    this.client = client;
    if (this.failures > 0) {
      this.logger.log('lead change listener reconnected');
      this.changes.next(RESYNC);
    }
    this.failures = 0;
  }

  private reconnect(): void {
    if (this.closing) return;
    this.client = undefined;
    this.failures += 1;
    const delay = Math.min(500 * 2 ** (this.failures - 1), 10_000);
    this.reconnectTimer = setTimeout(() => void this.listen(), delay);
  }
}

function isTerminal(lead: LeadView): boolean {
  return TERMINAL_STATUSES.includes(lead.status as LeadStatus);
}

/**
 * Writes `events` to `res` as `text/event-stream` until the observable completes or the client
 * goes away (then the subscription ends). Objects are sent as JSON in `data`.
 */
export function writeEventStream(res: Response, events: Observable<MessageEvent>): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // nginx (and ingress-nginx) would otherwise buffer the stream.
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  const subscription = events.subscribe({
    next: (event) => {
      const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
      const lines = [event.type ? `event: ${event.type}` : '', event.id ? `id: ${event.id}` : '', ...data.split('\n').map((line) => `data: ${line}`)];
      res.write(`${lines.filter(Boolean).join('\n')}\n\n`);
    },
    complete: () => res.end(),
    error: () => res.end(),
  });
  res.on('close', () => subscription.unsubscribe());
}
