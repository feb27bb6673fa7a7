import { encodeMessage, topics, type ReceivedStatementValue } from '@app/contracts';
import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type { INestMicroservice } from '@nestjs/common';
import { PoisonMessageError } from '../core/errors';
import type { ConsumedMessage } from '../core/ports';
import { BatchContext } from '../nest/batch-context';
import { DuplicateHandlerError } from '../nest/batch-server-base';
import { PassThroughRpcExceptionFilter } from '../nest/nest-handler';
import { InProcessBus, type DeadLetterRecord } from './in-process-bus';
import { InProcessServer } from './in-process-server';

const RECEIVED = topics.statementsReceived.name;

function message(requestId: string): { key: Buffer; value: Buffer } {
  const value: ReceivedStatementValue = {
    statement: { id: requestId },
    receivedAt: '2026-11-28T08:00:00.000Z',
    source: { type: 'classroom', credentialKey: 'class-1', boundLearningPointId: 'lp-1' },
    requestId,
  };
  return encodeMessage(topics.statementsReceived, { key: 'learner-a', value });
}

/** Stands in for the enricher's consumer controller: the same class would run on Kafka. */
@Controller()
class ReceivedStatementsController {
  readonly seen: { requestIds: string[]; topic: string }[] = [];

  @EventPattern(RECEIVED)
  async handle(@Payload() messages: ConsumedMessage<ReceivedStatementValue>[], @Ctx() context: BatchContext) {
    for (const m of messages) {
      if (m.value.requestId.startsWith('poison'))
        throw new PoisonMessageError(`cannot enrich ${m.value.requestId}`);
      if (m.value.requestId.startsWith('zod'))
        throw Object.assign(new Error('bad shape'), { name: 'ZodError' });
    }
    this.seen.push({ requestIds: messages.map((m) => m.value.requestId), topic: context.getTopic() });
  }
}

@Controller()
@UseFilters(new PassThroughRpcExceptionFilter())
class PassThroughController extends ReceivedStatementsController {}

async function host(controller: new () => ReceivedStatementsController) {
  const deadLetters: DeadLetterRecord[] = [];
  const bus = new InProcessBus({
    deadLetterSink: async (records) => {
      deadLetters.push(...records);
    },
    retry: { initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 2 },
  });
  const moduleRef = await Test.createTestingModule({ controllers: [controller] }).compile();
  const app: INestMicroservice = moduleRef.createNestMicroservice({
    strategy: new InProcessServer(bus),
    logger: false,
  });
  await app.listen();
  return { app, bus, deadLetters, controller: app.get(controller) };
}

describe('InProcessServer with an @EventPattern controller', () => {
  let app: INestMicroservice | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('delivers a send to the controller as one batch, with the batch context', async () => {
    const hosted = await host(ReceivedStatementsController);
    app = hosted.app;
    await hosted.bus.send(RECEIVED, [message('r1'), message('r2')]);
    expect(hosted.controller.seen).toEqual([{ requestIds: ['r1', 'r2'], topic: RECEIVED }]);
  });

  it('isolates a poison message thrown through Nest and dead-letters only it', async () => {
    const hosted = await host(ReceivedStatementsController);
    app = hosted.app;
    await hosted.bus.send(RECEIVED, [message('r1'), message('poison-2'), message('r3')]);
    expect(hosted.controller.seen.flatMap((s) => s.requestIds)).toEqual(['r1', 'r3']);
    expect(hosted.deadLetters.map((l) => [l.metadata.errorClass, l.metadata.reason])).toEqual([
      ['PoisonMessageError', 'cannot enrich poison-2'],
    ]);
  });

  it('treats an unclassified error masked by Nest as retriable, so the send fails instead of dead-lettering', async () => {
    const hosted = await host(ReceivedStatementsController);
    app = hosted.app;
    await expect(hosted.bus.send(RECEIVED, [message('zod-1')])).rejects.toThrow('Nest masked the error');
    expect(hosted.deadLetters).toEqual([]);
  });

  it('classifies the original error when the pass-through filter is used', async () => {
    const hosted = await host(PassThroughController);
    app = hosted.app;
    await hosted.bus.send(RECEIVED, [message('r1'), message('zod-2')]);
    expect(hosted.controller.seen.flatMap((s) => s.requestIds)).toEqual(['r1']);
    expect(hosted.deadLetters.map((l) => l.metadata.errorClass)).toEqual(['ZodError']);
  });

  it('stops delivering after close', async () => {
    const hosted = await host(ReceivedStatementsController);
    await hosted.app.close();
    await expect(hosted.bus.send(RECEIVED, [message('r1')])).rejects.toThrow('no handler');
  });

  it('refuses a second handler for the same topic', () => {
    const server = new InProcessServer(new InProcessBus({ deadLetterSink: async () => {} }));
    server.registerHandler(RECEIVED, async () => {});
    expect(() => server.registerHandler(RECEIVED, async () => {})).toThrow(DuplicateHandlerError);
  });
});
