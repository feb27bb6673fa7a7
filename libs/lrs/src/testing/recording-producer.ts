import type { MessageProducer, OutgoingMessage } from '@app/bus';

/**
 * The producer port held in memory: records what was sent, in order. `failWith` makes the next sends
 * reject (a broker that does not acknowledge). For tests and for tools that only need the messages.
 */
export class RecordingProducer implements MessageProducer {
  readonly sent: { topic: string; message: OutgoingMessage }[] = [];
  failWith: Error | undefined;

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    for (const message of messages) this.sent.push({ topic, message });
  }

  /** Decoded JSON values of the recorded messages. */
  values(): unknown[] {
    return this.sent.map(({ message }) => JSON.parse(String(message.value)) as unknown);
  }

  keys(): string[] {
    return this.sent.map(({ message }) => String(message.key));
  }
}
