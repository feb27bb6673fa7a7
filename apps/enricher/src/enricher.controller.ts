import {
  PassThroughRpcExceptionFilter,
  type BatchHandler,
  type BatchResult,
  type ConsumedMessage,
} from '@app/bus';
import { topics, type LearnerChangedValue, type ReceivedStatementValue } from '@app/contracts';
import { Controller, Inject, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

export const ENRICH_STEP = Symbol('ENRICH_STEP');
export const LEARNER_CHANGE_STEP = Symbol('LEARNER_CHANGE_STEP');

/**
 * Thin: the steps live in @app/pipeline. Errors reach the transport unmasked, so an EnrichmentError that
 * escaped would be classified by its class, and a broker failure is retried.
 */
@Controller()
@UseFilters(PassThroughRpcExceptionFilter)
export class EnricherController {
  constructor(
    @Inject(ENRICH_STEP) private readonly enrichStep: BatchHandler<ReceivedStatementValue>,
    @Inject(LEARNER_CHANGE_STEP) private readonly learnerChangeStep: BatchHandler<LearnerChangedValue>,
  ) {}

  @EventPattern(topics.statementsReceived.name)
  enrich(@Payload() messages: ConsumedMessage<ReceivedStatementValue>[]): Promise<BatchResult> {
    return this.enrichStep(messages);
  }

  @EventPattern(topics.learnersChanged.name)
  applyLearnerChanges(@Payload() messages: ConsumedMessage<LearnerChangedValue>[]): Promise<BatchResult> {
    return this.learnerChangeStep(messages);
  }
}
