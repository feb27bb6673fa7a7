import { BaseRpcContext } from '@nestjs/microservices';

type BatchContextArgs = [topic: string, partition: number, heartbeat: () => Promise<void>];

/** What `@Ctx()` gives a batch handler: where the batch came from, and a heartbeat for long work. */
export class BatchContext extends BaseRpcContext<BatchContextArgs> {
  getTopic(): string {
    return this.args[0];
  }

  getPartition(): number {
    return this.args[1];
  }

  /** Call during long processing so the consumer group does not consider this member dead. */
  heartbeat(): Promise<void> {
    return this.args[2]();
  }
}
