import type { BatchHandler, BatchResult, ConsumedMessage, MessageOutcome } from '@app/bus';
import { outcome } from '@app/bus';
import type { LearnerChangedValue } from '@app/contracts';
import type { ApplyOutcome, LearnerDirectory } from '@app/enrichment';

export interface LearnerChangeStepOptions {
  /** Called once per applied change (metrics, logs). */
  onApplied?: (learnerId: string, result: ApplyOutcome) => void;
}

/**
 * Keeps an enricher's LearnerDirectory current from the registry's change feed. The directory applies
 * last-writer-wins by version, so replaying the feed from the beginning (every enricher instance does, in
 * a group of its own) or redelivering a batch is harmless. A message whose key is not its learner's id is
 * dead-lettered: the feed is keyed by learner id so that compaction keeps each learner's latest change.
 */
export function createLearnerChangeStep(
  directory: LearnerDirectory,
  options: LearnerChangeStepOptions = {},
): BatchHandler<LearnerChangedValue> {
  return async (messages: ConsumedMessage<LearnerChangedValue>[]): Promise<BatchResult> => {
    const outcomes: MessageOutcome[] = messages.map((message) => {
      if (message.key !== message.value.id) {
        return outcome.dlq(
          `key-mismatch: key ${JSON.stringify(message.key)} is not the learner id ${message.value.id}`,
          'LearnerChangeKeyError',
        );
      }
      const result = directory.apply(message.value);
      options.onApplied?.(message.value.id, result);
      return outcome.ok();
    });
    return { outcomes };
  };
}
