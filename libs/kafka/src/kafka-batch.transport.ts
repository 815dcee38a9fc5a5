import { CustomTransportStrategy, Server, BaseRpcContext } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { PRIORITY_OVER, RETRY_CHAINS, TOPICS, TopicKey } from '@leadpipe/contracts';
import { BatchConsumer, BatchConsumerOptions } from './batch-consumer';
import { ConsumptionControl } from './consumption-control';
import { BatchHandler, ConsumedEvent, Outcome } from './outcome';

/** Context handed to `@EventPattern` handlers next to the batch. */
export class KafkaBatchContext extends BaseRpcContext<[topicKey: TopicKey, group: string]> {
  get topicKey(): TopicKey {
    return this.args[0];
  }
}

export type KafkaBatchTransportOptions = Omit<BatchConsumerOptions, 'handlers'> & {
  /** Lets the service pause and resume this consumer. */
  control?: ConsumptionControl;
};

const TOPIC_KEY_BY_NAME = new Map<string, TopicKey>(
  (Object.entries(TOPICS) as Array<[TopicKey, string]>).map(([key, name]) => [name, key]),
);

/**
 * Nest transport strategy that keeps Nest's programming model (`@EventPattern(TOPICS.x)`
 * handlers in controllers) and adds what the built-in Kafka transport lacks: batches,
 * commit-after-outcome, retries, dead letters and a clean drain on shutdown.
 *
 * A handler receives `ConsumedEvent<T>[]` and returns one {@link Outcome} per event.
 */
export class KafkaBatchTransport extends Server implements CustomTransportStrategy {
  private readonly consumers: BatchConsumer[] = [];

  constructor(private readonly options: KafkaBatchTransportOptions) {
    super();
  }

  get isReady(): boolean {
    return this.consumers.length > 0 && this.consumers.every((c) => c.isReady);
  }

  /** The consumer group names of the lanes (the base group first), once listening. */
  get groups(): string[] {
    return this.consumers.map((c) => c.group);
  }

  /**
   * One consumer per lane. kafkajs fetches again only when every batch of the last fetch is
   * done, so a consumer whose slice waits (for rate-limit tokens, say) fetches nothing else
   * meanwhile. Work that must not wait behind the main backlog therefore gets a consumer (and
   * group) of its own:
   * - topics in `PRIORITY_OVER`: `<group>-priority`;
   * - the retry topics of `RETRY_CHAINS`: `<group>-retry`, so a retry is fetched when it is due
   *   whatever the backlog in front of the main consumer.
   */
  async listen(callback: (...optionalParams: unknown[]) => void): Promise<void> {
    const { group } = this.options;
    const lanes = new Map<string, { handlers: Map<TopicKey, BatchHandler<unknown>>; subscribe: 'origins' | 'retries' }>();
    const laneOf = (name: string, subscribe: 'origins' | 'retries') => {
      if (!lanes.has(name)) lanes.set(name, { handlers: new Map(), subscribe });
      return lanes.get(name)!.handlers;
    };
    for (const [pattern, handler] of this.getHandlers()) {
      const topicKey = TOPIC_KEY_BY_NAME.get(pattern);
      if (!topicKey) throw new Error(`@EventPattern('${pattern}') is not a topic of @leadpipe/contracts`);
      const inLane = (lane: string) => async (events: ConsumedEvent<unknown>[]) => {
        const result = await handler(events, new KafkaBatchContext([topicKey, lane]));
        return (await lastValueFrom(this.transformToObservable(result))) as Outcome[];
      };
      const lane = PRIORITY_OVER[topicKey] ? `${group}-priority` : group;
      laneOf(lane, 'origins').set(topicKey, inLane(lane));
      if (RETRY_CHAINS[topicKey]) laneOf(`${group}-retry`, 'retries').set(topicKey, inLane(`${group}-retry`));
    }
    const { control, ...consumerOptions } = this.options;
    for (const [lane, { handlers, subscribe }] of lanes) {
      const consumer = new BatchConsumer({ ...consumerOptions, group: lane, handlers, subscribe });
      this.consumers.push(consumer);
      await consumer.start();
      control?.attach(consumer);
    }
    callback();
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
  }

  on(): void {
    // No transport-level events are exposed; the consumer reports through logs and metrics.
  }

  unwrap<T>(): T {
    return this.consumers as T;
  }
}
