import type { BatchHandler, BatchResult, ConsumedMessage, MessageOutcome, MessageProducer } from '@app/bus';
import { outcome } from '@app/bus';
import { encodeMessage, topics, type EncodedMessage, type ReceivedStatementValue } from '@app/contracts';
import {
  EnrichmentError,
  enrichStatement,
  enrichableStatementSchema,
  type LearnerDirectory,
} from '@app/enrichment';
import type { PipelineMetrics } from '@app/observability';
import type { ReferenceIndex } from '@app/reference';

export interface EnrichStepOptions {
  /** Where enriched statements go (`xapi.statements.enriched.v1`). */
  producer: MessageProducer;
  reference: ReferenceIndex;
  /** Kept current by the registry's change feed (createLearnerChangeStep). */
  learners: LearnerDirectory;
  metrics?: PipelineMetrics;
  /** Event time of a statement with neither timestamp nor stored (tests); defaults to the clock. */
  now?: () => Date;
}

/**
 * The enricher's batch handler: adds place, demographics, skill and verb category to each received
 * statement and produces the enriched messages (same key: the actor, so a learner's order is kept) in one
 * send. It returns only after that send was acknowledged, so the transport commits the received offsets
 * only for statements whose enriched form is durable. A statement that cannot be enriched without guessing
 * (EnrichmentError, e.g. an unknown learning point) is dead-lettered with its code; anything else thrown
 * (the producer failing) fails the batch and the transport retries it. Re-enriching is idempotent
 * downstream: the sink skips statement ids it already stored.
 */
export function createEnrichStep(options: EnrichStepOptions): BatchHandler<ReceivedStatementValue> {
  const { producer, reference, learners, metrics } = options;

  return async (messages: ConsumedMessage<ReceivedStatementValue>[]): Promise<BatchResult> => {
    const outcomes: MessageOutcome[] = messages.map(() => outcome.ok());
    const enriched: EncodedMessage[] = [];
    messages.forEach((message, index) => {
      const result = enrichOne(message, { reference, learners, now: options.now?.() });
      if ('dlq' in result) outcomes[index] = result.dlq;
      else enriched.push(result.encoded);
    });

    if (enriched.length > 0) {
      await producer.send(topics.statementsEnriched.name, enriched);
      metrics?.messagesOut.inc({ topic: topics.statementsEnriched.name }, enriched.length);
    }
    return { outcomes };
  };
}

type EnrichOneResult = { readonly encoded: EncodedMessage } | { readonly dlq: MessageOutcome };

function enrichOne(
  message: ConsumedMessage<ReceivedStatementValue>,
  deps: { reference: ReferenceIndex; learners: LearnerDirectory; now: Date | undefined },
): EnrichOneResult {
  if (message.key === null) {
    return { dlq: outcome.dlq('missing-key: the message has no actor key', 'MissingKeyError') };
  }
  const statement = enrichableStatementSchema.safeParse(message.value.statement);
  if (!statement.success) {
    const first = statement.error.issues[0];
    return {
      dlq: outcome.dlq(
        `invalid-statement: statement.${first.path.join('.')}: ${first.message}`,
        'StatementShapeError',
      ),
    };
  }
  try {
    const enrichment = enrichStatement(
      { statement: statement.data, actorKey: message.key, source: message.value.source },
      deps,
    );
    return {
      encoded: encodeMessage(topics.statementsEnriched, {
        key: message.key,
        value: { ...message.value, enrichment },
      }),
    };
  } catch (error) {
    if (error instanceof EnrichmentError) {
      return { dlq: outcome.dlq(`${error.code}: ${error.message}`, error.name) };
    }
    throw error;
  }
}
