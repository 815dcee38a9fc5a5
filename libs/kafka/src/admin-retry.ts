import { Admin, Kafka } from 'kafkajs';

export interface AdminRetryOptions {
  /** Attempts in all, the first included (default 5). */
  attempts?: number;
  /** Wait before attempt n + 1 is n × this (default 250 ms). */
  delayMs?: number;
}

/**
 * Runs `read` on a connected admin client and disconnects it. Errors the broker calls retriable
 * (a partition whose leadership is moving: just after its topic was created, or while a broker
 * restarts) are tried again, each time on a new admin client, whose metadata is fresh; kafkajs's
 * admin does not retry them itself for `fetchTopicOffsets` and `fetchOffsets` (it refreshes its
 * metadata only on UNKNOWN_TOPIC_OR_PARTITION). Other errors, and the last attempt's, are thrown.
 */
export async function withAdmin<T>(kafka: Kafka, read: (admin: Admin) => Promise<T>, options: AdminRetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const delayMs = options.delayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      return await read(admin);
    } catch (error) {
      if (attempt >= attempts || (error as { retriable?: unknown }).retriable !== true) throw error;
    } finally {
      await admin.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs * attempt));
  }
}
