import { Controller, Inject, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  BatchContext,
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
  write(
    @Payload() messages: ConsumedMessage<EnrichedStatementValue>[],
    @Ctx() context: BatchContext,
  ): Promise<BatchResult> {
    // The context lets the step check, right before its INSERT, that this sink still owns the partition.
    return this.step(messages, context);
  }
}
