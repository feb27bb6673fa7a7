import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChdbWarehouse } from './chdb-warehouse';
import { countDeadLetters, storeDeadLetters } from './dead-letters';
import { runMigrations } from './migration-runner';

describe('dead_letters', () => {
  let dir: string;
  let warehouse: ChdbWarehouse;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dead-letters-'));
    warehouse = new ChdbWarehouse(dir);
    await runMigrations(warehouse);
  });
  afterAll(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the original bytes, readable text or base64, and counts by topic and class', async () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    await storeDeadLetters(warehouse, [
      {
        failedAt: '2026-03-01T08:00:00.000Z',
        sourceTopic: 'a.topic.v1',
        sourcePartition: 0,
        sourceOffset: '7',
        consumerGroup: 'embedded',
        errorClass: 'ContractDecodeError',
        reason: 'value: statement is required',
        key: Buffer.from('mbox:mailto:x@example.org'),
        value: Buffer.from('{"statement":'),
      },
      {
        failedAt: '2026-03-01T08:00:01.000Z',
        sourceTopic: 'a.topic.v1',
        sourcePartition: 0,
        sourceOffset: '8',
        consumerGroup: 'embedded',
        errorClass: 'ContractDecodeError',
        reason: 'not JSON',
        key: null,
        value: binary,
      },
    ]);
    const rows = await warehouse.query<{ message_value: string; message_value_base64: string }>(
      'SELECT message_value, message_value_base64 FROM dead_letters ORDER BY source_offset',
    );
    expect(rows).toEqual([
      { message_value: '{"statement":', message_value_base64: '' },
      { message_value: '', message_value_base64: binary.toString('base64') },
    ]);
    expect(await countDeadLetters(warehouse)).toEqual([
      { sourceTopic: 'a.topic.v1', errorClass: 'ContractDecodeError', count: 2 },
    ]);
  });
});
