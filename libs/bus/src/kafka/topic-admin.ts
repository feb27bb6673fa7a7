import type { Kafka } from 'kafkajs';

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

export interface EnsureTopicsOptions {
  /** 1 for the single-node broker; 3 in a real cluster. */
  readonly replicationFactor?: number;
  readonly configs?: Readonly<Record<string, string>>;
}

export interface EnsureTopicsReport {
  readonly created: string[];
  readonly existing: string[];
  /** Existing topics whose partition count differs from the declaration (left alone: changing it re-keys). */
  readonly partitionMismatches: { name: string; declared: number; actual: number }[];
}

/**
 * Creates missing topics with explicit partition counts (broker auto-create is off). Safe to run from
 * every process at start: existing topics are left as they are, and a concurrent creator is not an error.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly TopicSpec[],
  options: EnsureTopicsOptions = {},
): Promise<EnsureTopicsReport> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !present.has(t.name));
    const existing = topics.filter((t) => present.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: options.replicationFactor ?? 1,
          configEntries: Object.entries(options.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    const partitionMismatches: EnsureTopicsReport['partitionMismatches'] = [];
    if (existing.length > 0) {
      const metadata = await admin.fetchTopicMetadata({ topics: existing.map((t) => t.name) });
      for (const topic of metadata.topics) {
        const declared = existing.find((t) => t.name === topic.name)?.partitions;
        if (declared !== undefined && declared !== topic.partitions.length) {
          partitionMismatches.push({ name: topic.name, declared, actual: topic.partitions.length });
        }
      }
    }
    return {
      created: missing.map((t) => t.name),
      existing: existing.map((t) => t.name),
      partitionMismatches,
    };
  } finally {
    await admin.disconnect();
  }
}
