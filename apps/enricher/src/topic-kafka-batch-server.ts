import { KafkaBatchServer, type KafkaBatchServerOptions } from '@app/bus';
import type { MessageHandler } from '@nestjs/microservices';

/**
 * A KafkaBatchServer that takes only the handlers of the given topics. Nest hands every `@EventPattern`
 * of the app to every connected server; one server per consumer group lets one controller serve topics
 * that need different groups (the shared statements group, and a per-instance group for the change feed),
 * while the same controller still runs unchanged on one InProcessServer in the embedded mode.
 */
export class TopicKafkaBatchServer extends KafkaBatchServer {
  private readonly accepted: ReadonlySet<string>;

  constructor(topics: readonly string[], options: KafkaBatchServerOptions) {
    super(options);
    this.accepted = new Set(topics);
  }

  override addHandler(
    pattern: unknown,
    callback: MessageHandler,
    isEventHandler = false,
    extras: Record<string, unknown> = {},
  ): void {
    if (!this.accepted.has(this.normalizePattern(pattern as string))) return;
    super.addHandler(pattern, callback, isEventHandler, extras);
  }
}
