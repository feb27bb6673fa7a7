import { Controller, Inject, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  PassThroughRpcExceptionFilter,
  type BatchHandler,
  type BatchResult,
  type ConsumedMessage,
} from '@app/bus';
import { topics, type EnrichedStatementValue } from '@app/contracts';

export const SINK_STEP = Symbol('SINK_STEP');

/** Hands each batch of enriched statements to the sink step; the transport commits after it returns. */
@Controller()
@UseFilters(PassThroughRpcExceptionFilter)
export class SinkController {
  constructor(@Inject(SINK_STEP) private readonly step: BatchHandler<EnrichedStatementValue>) {}

  @EventPattern(topics.statementsEnriched.name)
  write(@Payload() messages: ConsumedMessage<EnrichedStatementValue>[]): Promise<BatchResult> {
    return this.step(messages);
  }
}
