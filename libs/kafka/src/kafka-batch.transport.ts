import { CustomTransportStrategy, Server, BaseRpcContext } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { PRIORITY_OVER, TOPICS, TopicKey } from '@leadpipe/contracts';
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

  /**
   * One consumer per lane. Topics in `PRIORITY_OVER` get a consumer (and group, `<group>-priority`)
   * of their own: kafkajs fetches again only when every batch of the last fetch is done, so a
   * shared consumer would leave priority leads unfetched behind slow normal batches.
   */
  async listen(callback: (...optionalParams: unknown[]) => void): Promise<void> {
    const lanes = new Map<string, Map<TopicKey, BatchHandler<unknown>>>();
    for (const [pattern, handler] of this.getHandlers()) {
      const topicKey = TOPIC_KEY_BY_NAME.get(pattern);
      if (!topicKey) throw new Error(`@EventPattern('${pattern}') is not a topic of @leadpipe/contracts`);
      const lane = PRIORITY_OVER[topicKey] ? `${this.options.group}-priority` : this.options.group;
      if (!lanes.has(lane)) lanes.set(lane, new Map());
      lanes.get(lane)!.set(topicKey, async (events: ConsumedEvent<unknown>[]) => {
        const context = new KafkaBatchContext([topicKey, lane]);
        const result = await handler(events, context);
        return (await lastValueFrom(this.transformToObservable(result))) as Outcome[];
      });
    }
    const { control, ...consumerOptions } = this.options;
    for (const [lane, handlers] of lanes) {
      const consumer = new BatchConsumer({
        ...consumerOptions,
        group: lane,
        handlers,
        // Retry topics are shared: the main lane consumes them, the priority lane only feeds them.
        consumeRetryTopics: lane === this.options.group || !lanes.has(this.options.group),
      });
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
