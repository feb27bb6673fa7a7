import { Logger } from '@nestjs/common';
import { BatchContext } from '../nest/batch-context';
import { BatchServerBase } from '../nest/batch-server-base';
import { invokeNestHandler } from '../nest/nest-handler';
import type { InProcessBus } from './in-process-bus';

export const IN_PROCESS_TRANSPORT = Symbol('IN_PROCESS_TRANSPORT');

/** Nest transport for the embedded mode: the same `@EventPattern(topic)` controllers, fed by an InProcessBus. */
export class InProcessServer extends BatchServerBase {
  override readonly transportId = IN_PROCESS_TRANSPORT;
  protected override readonly logger = new Logger(InProcessServer.name);
  private unsubscribers: (() => void)[] = [];

  constructor(private readonly bus: InProcessBus) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    try {
      for (const topic of this.topics()) {
        const handler = this.handlerFor(topic);
        const context = new BatchContext([topic, 0, async () => {}]);
        this.unsubscribers.push(
          this.bus.subscribe(topic, (messages) => invokeNestHandler(handler, messages, context)),
        );
      }
      this._status$.next('connected');
      callback();
    } catch (error) {
      callback(error);
    }
  }

  close(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
    this._status$.next('disconnected');
  }

  /** The in-process bus emits no transport events. */
  on(): void {}

  unwrap<T>(): T {
    return this.bus as T;
  }
}
