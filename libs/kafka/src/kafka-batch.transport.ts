import { CustomTransportStrategy, Server, BaseRpcContext } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { TOPICS, TopicKey } from '@leadpipe/contracts';
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
  private consumer?: BatchConsumer;

  constructor(private readonly options: KafkaBatchTransportOptions) {
    super();
  }

  get isReady(): boolean {
    return this.consumer?.isReady ?? false;
  }

  async listen(callback: (...optionalParams: unknown[]) => void): Promise<void> {
    const handlers = new Map<TopicKey, BatchHandler<unknown>>();
    for (const [pattern, handler] of this.getHandlers()) {
      const topicKey = TOPIC_KEY_BY_NAME.get(pattern);
      if (!topicKey) throw new Error(`@EventPattern('${pattern}') is not a topic of @leadpipe/contracts`);
      handlers.set(topicKey, async (events: ConsumedEvent<unknown>[]) => {
        const context = new KafkaBatchContext([topicKey, this.options.group]);
        const result = await handler(events, context);
        return (await lastValueFrom(this.transformToObservable(result))) as Outcome[];
      });
    }
    const { control, ...consumerOptions } = this.options;
    this.consumer = new BatchConsumer({ ...consumerOptions, handlers });
    await this.consumer.start();
    control?.attach(this.consumer);
    callback();
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
  }

  on(): void {
    // No transport-level events are exposed; the consumer reports through logs and metrics.
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}
