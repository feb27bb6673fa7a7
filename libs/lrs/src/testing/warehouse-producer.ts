import type { OutgoingMessage } from '@app/bus';
import { toStatementRow } from '@app/pipeline';
import { enrichedMessageFixture } from '@app/pipeline/testing/enriched-message.fixture';
import { StatementRowWriter, type Warehouse } from '@app/warehouse';
import { RecordingProducer } from './recording-producer';

/**
 * Writes every produced statement as the sink would (mapper + writer), so HTTP tests read real rows.
 * `delayMs` makes it acknowledge first and write later, like Kafka mode where the ack means "in Kafka",
 * not "in ClickHouse".
 */
export class WarehouseProducer extends RecordingProducer {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly delayMs = 0,
  ) {
    super();
  }

  override async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    await super.send(topic, messages);
    const rows = messages.map((m) => {
      const value = JSON.parse(String(m.value)) as { statement: Record<string, unknown> };
      return toStatementRow(enrichedMessageFixture({ statement: value.statement }));
    });
    const write = async (): Promise<void> => {
      const result = await new StatementRowWriter(this.warehouse).writeNewStatements(rows);
      if (result.rejected.length > 0) throw result.rejected[0].error;
    };
    if (this.delayMs === 0) await write();
    else setTimeout(() => void write(), this.delayMs);
  }
}
