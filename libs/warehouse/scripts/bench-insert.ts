// Insert throughput of 1,000-row batches into chdb, with the durable table settings (fsync) and without.
// Run: node -r @swc-node/register libs/warehouse/scripts/bench-insert.ts [batchesPerVariant]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import {
  ChdbWarehouse,
  runMigrations,
  StatementRowSchema,
  StatementRowWriter,
  type StatementRow,
} from '../src';
import { statementRowFixture } from '../src/testing/statement-row.fixture';

const BATCH = 1_000;
const batchesPerVariant = Number(process.argv[2] ?? 30);
const writerBatches = 10;
const towns = ['石坪桥街道', '白市驿镇', '九龙镇', '杨家坪街道', '谢家湾街道'];

function makeBatch(batchNumber: number): StatementRow[] {
  return Array.from({ length: BATCH }, (_, i) => {
    const id = randomUUID();
    const second = String(i % 60).padStart(2, '0');
    return StatementRowSchema.parse(
      statementRowFixture({
        id,
        actor_key: `mbox:mailto:learner-${(batchNumber * BATCH + i) % 20_000}@example.org`,
        timestamp: `2024-03-${String((i % 28) + 1).padStart(2, '0')} 08:00:${second}.${String(i).padStart(6, '0')}`,
        town: towns[i % towns.length],
        kafka_offset: String(batchNumber * BATCH + i),
        // A realistic statement body is about 1 KB.
        raw: JSON.stringify({
          id,
          actor: { mbox: `mailto:learner-${i}@example.org`, name: '学员' },
          verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'zh-CN': '完成' } },
          object: {
            id: 'https://jlp.example/courses/computer-basics/module-3',
            definition: {
              name: { 'zh-CN': '中文输入法', en: 'Chinese input methods' },
              description: { 'zh-CN': '计算机基本操作'.repeat(20) },
            },
          },
          result: { score: { scaled: 0.85 }, success: true, completion: true, duration: 'PT30M0.5S' },
          context: {
            registration: randomUUID(),
            extensions: { 'https://jlp.example/ext/learning-point': 'LP-BSY-01' },
          },
          timestamp: '2024-03-01T08:30:00.123456+08:00',
        }),
      }),
    );
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'warehouse-bench-'));
  const warehouse = new ChdbWarehouse(dir);
  try {
    await runMigrations(warehouse);
    await warehouse.command('CREATE TABLE statements_nofsync AS statements');
    await warehouse.command(
      'ALTER TABLE statements_nofsync MODIFY SETTING fsync_after_insert = 0, fsync_part_directory = 0',
    );
    const batches = Array.from({ length: batchesPerVariant * 2 + 2 + writerBatches }, (_, b) => makeBatch(b));
    const bytesPerRow =
      Buffer.byteLength(batches.map((b) => b.map((r) => JSON.stringify(r)).join('\n')).join('\n')) /
      (batches.length * BATCH);

    // Warm-up, then interleave the variants so that machine noise hits both alike.
    for (const table of ['statements', 'statements_nofsync'])
      await warehouse.insertJsonEachRow(table, batches.pop()!);
    const millis: Record<string, number[]> = { statements: [], statements_nofsync: [], writer: [] };
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    for (let b = 0; b < batchesPerVariant; b++) {
      for (const table of ['statements', 'statements_nofsync'] as const) {
        const batch = batches.pop()!;
        const start = performance.now();
        await warehouse.insertJsonEachRow(table, batch);
        millis[table].push(performance.now() - start);
      }
    }
    loopDelay.disable();
    // The full sink path: zod validation of every row plus the insert (fsync on).
    const writer = new StatementRowWriter(warehouse);
    for (let b = 0; b < writerBatches; b++) {
      const batch = batches.pop()!;
      const start = performance.now();
      const result = await writer.insertBatch(batch);
      if (result.inserted !== BATCH) throw new Error(`writer inserted ${result.inserted}`);
      millis.writer.push(performance.now() - start);
    }

    const summary = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      return {
        batches: values.length,
        meanMs: +mean.toFixed(1),
        p50Ms: +sorted[Math.floor(sorted.length * 0.5)].toFixed(1),
        p95Ms: +sorted[Math.floor(sorted.length * 0.95)].toFixed(1),
        rowsPerSecond: Math.round((BATCH * 1000) / mean),
      };
    };
    const [count] = await warehouse.query('SELECT count() AS n FROM statements');
    console.log(
      JSON.stringify(
        {
          machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
          rowBytes: Math.round(bytesPerRow),
          fsyncOn: summary(millis.statements),
          fsyncOff: summary(millis.statements_nofsync),
          statementRowWriterFsyncOn: summary(millis.writer),
          eventLoopDelayMaxMsDuringInserts: +(loopDelay.max / 1e6).toFixed(1),
          rowsInStatements: count,
        },
        null,
        2,
      ),
    );
  } finally {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
