import type { z } from 'zod';
import { UnknownTopicError } from './errors';
import { learnerChangedKeySchema } from './topics/registry-learners-changed-v1/key';
import { learnerChangedValueSchema } from './topics/registry-learners-changed-v1/value';
import { enrichedStatementKeySchema } from './topics/xapi-statements-enriched-v1/key';
import { enrichedStatementValueSchema } from './topics/xapi-statements-enriched-v1/value';
import { receivedStatementKeySchema } from './topics/xapi-statements-received-v1/key';
import { receivedStatementValueSchema } from './topics/xapi-statements-received-v1/value';

/** The dead-letter topic of a topic: same name plus `.dlq` (ARCHITECTURE.md, "Names"). */
export const DLQ_SUFFIX = '.dlq';
export function dlqTopicOf(topic: string): string {
  return `${topic}${DLQ_SUFFIX}`;
}

export interface TopicContract<Name extends string = string, Key = unknown, Value = unknown> {
  readonly name: Name;
  readonly description: string;
  readonly defaultPartitions: number;
  readonly key: z.ZodType<Key>;
  readonly value: z.ZodType<Value>;
  /** Where messages that fail for good go; it holds the original bytes plus `x-dlq-*` headers. */
  readonly dlq: { readonly name: string; readonly defaultPartitions: number };
}

function defineTopic<Name extends string, Key, Value>(
  contract: Omit<TopicContract<Name, Key, Value>, 'dlq'> & { dlqPartitions?: number },
): TopicContract<Name, Key, Value> {
  const { dlqPartitions = 1, ...rest } = contract;
  return { ...rest, dlq: { name: dlqTopicOf(contract.name), defaultPartitions: dlqPartitions } };
}

/** The single source of truth for topic names; nothing else in the code base spells a topic. */
export const topics = {
  statementsReceived: defineTopic({
    name: 'xapi.statements.received.v1',
    description:
      'Statements accepted by the gateway (acknowledged to the client only after this topic acked).',
    defaultPartitions: 6,
    dlqPartitions: 3,
    key: receivedStatementKeySchema,
    value: receivedStatementValueSchema,
  }),
  statementsEnriched: defineTopic({
    name: 'xapi.statements.enriched.v1',
    description:
      'Received statements plus learner demographics, learning point, place, skill and verb category.',
    defaultPartitions: 6,
    dlqPartitions: 3,
    key: enrichedStatementKeySchema,
    value: enrichedStatementValueSchema,
  }),
  learnersChanged: defineTopic({
    name: 'registry.learners.changed.v1',
    description: "The learner registry's change feed (provisional schema), keyed by learner id.",
    defaultPartitions: 3,
    dlqPartitions: 1,
    key: learnerChangedKeySchema,
    value: learnerChangedValueSchema,
  }),
} as const;

export type TopicKey = keyof typeof topics;
export type AnyTopicContract = (typeof topics)[TopicKey];
export type TopicName = AnyTopicContract['name'];
export type KeyOf<C> = C extends TopicContract<string, infer K, unknown> ? K : never;
export type ValueOf<C> = C extends TopicContract<string, unknown, infer V> ? V : never;

export const topicContracts: readonly AnyTopicContract[] = Object.values(topics);

const contractsByName: ReadonlyMap<string, AnyTopicContract> = new Map(
  topicContracts.map((c) => [c.name, c]),
);

export function isDlqTopic(topic: string): boolean {
  return topic.endsWith(DLQ_SUFFIX);
}

export function contractOf(topic: string): AnyTopicContract {
  const contract = contractsByName.get(topic);
  if (!contract) throw new UnknownTopicError(topic);
  return contract;
}

/** What a broker needs to create a topic; structurally what @app/bus `ensureTopics` takes. */
export interface TopicDeclaration {
  readonly name: string;
  readonly partitions: number;
  readonly description: string;
}

export interface TopicPlanOptions {
  /** Partition count per topic name (main or `.dlq`), overriding the registry default. */
  readonly partitions?: Readonly<Record<string, number>>;
}

/** Every topic the system uses, main and dead-letter, with the partition counts to create them with. */
export function topicDeclarations(options: TopicPlanOptions = {}): TopicDeclaration[] {
  const overrides = options.partitions ?? {};
  for (const [name, count] of Object.entries(overrides)) {
    const known = contractsByName.has(name) || topicContracts.some((c) => c.dlq.name === name);
    if (!known) throw new UnknownTopicError(name);
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`partition count for ${name} must be a positive integer, got ${count}`);
    }
  }
  return topicContracts.flatMap((c) => [
    { name: c.name, partitions: overrides[c.name] ?? c.defaultPartitions, description: c.description },
    {
      name: c.dlq.name,
      partitions: overrides[c.dlq.name] ?? c.dlq.defaultPartitions,
      description: `Dead letters of ${c.name}: original bytes plus x-dlq-* headers.`,
    },
  ]);
}
