import { randomBytes } from 'node:crypto';

const KAFKA_TOPIC_MAX_LENGTH = 249;

/**
 * A topic name no other test (or earlier run against the same broker) uses: `<prefix>-<time>-<random>`.
 * Characters Kafka rejects in topic names are replaced by '_'.
 */
export function uniqueTopic(prefix = 'test'): string {
  const safePrefix = prefix.replace(/[^a-zA-Z0-9._-]/g, '_');
  const suffix = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  return `${safePrefix.slice(0, KAFKA_TOPIC_MAX_LENGTH - suffix.length - 1)}-${suffix}`;
}
