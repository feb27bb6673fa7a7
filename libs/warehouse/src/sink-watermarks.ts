import { z } from 'zod';

import { ClickHouseDateTime64Schema, fromClickHouseDateTime64 } from './statement-row';
import type { Warehouse } from './warehouse.port';

export const WatermarkSchema = z.object({
  consumerGroup: z.string().min(1),
  topic: z.string().min(1),
  partition: z.number().int().nonnegative(),
  /** Every statement of this partition with `stored` up to here is durably in `statements`. */
  storedThrough: ClickHouseDateTime64Schema,
  /** The next Kafka offset to read in this partition, for audit. */
  offset: z.string().regex(/^\d+$/),
});
export type Watermark = z.infer<typeof WatermarkSchema>;

/** Records a partition's watermark; a value older than the stored one is ignored (ReplacingMergeTree keeps the max). */
export async function advanceWatermark(warehouse: Warehouse, watermark: Watermark): Promise<void> {
  await advanceWatermarks(warehouse, [watermark]);
}

/** Records several partitions' watermarks in one INSERT (one fsync), as the sink does after each batch. */
export async function advanceWatermarks(
  warehouse: Warehouse,
  watermarks: readonly Watermark[],
): Promise<void> {
  if (watermarks.length === 0) return;
  const rows = watermarks.map((watermark) => {
    const w = WatermarkSchema.parse(watermark);
    return {
      consumer_group: w.consumerGroup,
      topic: w.topic,
      partition: w.partition,
      stored_through: w.storedThrough,
      kafka_offset: w.offset,
    };
  });
  await warehouse.insertJsonEachRow('sink_watermarks', rows);
}

const PartitionWatermarkSchema = z.object({
  partition: z.number().int(),
  through: ClickHouseDateTime64Schema,
});

export async function readWatermarks(
  warehouse: Warehouse,
  consumerGroup: string,
  topic: string,
): Promise<{ partition: number; storedThrough: string }[]> {
  const rows = await warehouse.query(
    `SELECT partition, toString(max(stored_through)) AS through
     FROM sink_watermarks
     WHERE consumer_group = {group:String} AND topic = {topic:String}
     GROUP BY partition
     ORDER BY partition`,
    { group: consumerGroup, topic },
    PartitionWatermarkSchema,
  );
  return rows.map((row) => ({ partition: row.partition, storedThrough: row.through }));
}

/**
 * The X-Experience-API-Consistent-Through value: the minimum watermark over the partitions, as ISO 8601
 * with microseconds. `null` when some expected partition has no watermark yet (nothing can be promised).
 */
export async function readConsistentThrough(
  warehouse: Warehouse,
  consumerGroup: string,
  topic: string,
  partitionCount: number,
): Promise<string | null> {
  const watermarks = await readWatermarks(warehouse, consumerGroup, topic);
  const covered = new Set(watermarks.map((w) => w.partition));
  for (let partition = 0; partition < partitionCount; partition += 1) {
    if (!covered.has(partition)) return null;
  }
  const relevant = watermarks.filter((w) => w.partition < partitionCount);
  if (relevant.length === 0) return null;
  // Equal-width 'YYYY-MM-DD hh:mm:ss.ffffff' strings order like the times they denote.
  const minimum = relevant.map((w) => w.storedThrough).sort()[0];
  return fromClickHouseDateTime64(minimum);
}
