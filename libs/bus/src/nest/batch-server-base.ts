import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { BatchHandler } from '../core/ports';
import { asNestHandler } from './nest-handler';

export class DuplicateHandlerError extends Error {
  override readonly name = 'DuplicateHandlerError';
}

/** What both batch transports share: one handler per topic, from `@EventPattern(topic)` or `registerHandler`. */
export type TransportEventListener = (...args: unknown[]) => void;

export abstract class BatchServerBase
  extends Server<Record<string, TransportEventListener>>
  implements CustomTransportStrategy
{
  /**
   * Nest chains a second event handler for the same pattern and merges results with forkJoin; a batch
   * handler's outcomes cannot be merged that way, so a second handler for a topic is refused.
   */
  override addHandler(
    pattern: unknown,
    callback: MessageHandler,
    isEventHandler = false,
    extras: Record<string, unknown> = {},
  ): void {
    const route = this.normalizePattern(pattern as string);
    if (this.messageHandlers.has(route)) {
      throw new DuplicateHandlerError(`a handler for ${route} is already registered`);
    }
    super.addHandler(pattern, callback, isEventHandler, extras);
  }

  /** Registers a handler without a controller (for hosts that are not Nest apps, and for tests). */
  registerHandler<T>(topic: string, handler: BatchHandler<T>): void {
    this.addHandler(topic, asNestHandler(handler as BatchHandler<unknown>), true);
  }

  protected topics(): string[] {
    return [...this.messageHandlers.keys()];
  }

  protected handlerFor(topic: string): MessageHandler {
    const handler = this.messageHandlers.get(topic);
    if (!handler) throw new Error(`no handler for topic ${topic}`);
    return handler;
  }
}
