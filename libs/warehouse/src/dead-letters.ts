import { z } from 'zod';
import type { Warehouse } from './warehouse.port';

/** A dead letter as stored in `dead_letters` (what the in-process bus's dead-letter sink receives). */
export const DeadLetterRowSchema = z.object({
  failedAt: z.iso.datetime({ offset: true }),
  sourceTopic: z.string().min(1),
  sourcePartition: z.number().int(),
  sourceOffset: z.string(),
  consumerGroup: z.string(),
  errorClass: z.string(),
  reason: z.string(),
  key: z.instanceof(Buffer).nullable(),
  value: z.instanceof(Buffer).nullable(),
});
export type DeadLetterRow = z.infer<typeof DeadLetterRowSchema>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function textOrBase64(value: Buffer | null): { text: string; base64: string } {
  if (!value) return { text: '', base64: '' };
  try {
    return { text: utf8.decode(value), base64: '' };
  } catch {
    return { text: '', base64: value.toString('base64') };
  }
}

/** Writes dead letters durably (one INSERT, fsynced); resolves only when they are stored. */
export async function storeDeadLetters(
  warehouse: Warehouse,
  letters: readonly DeadLetterRow[],
): Promise<void> {
  if (letters.length === 0) return;
  const rows = letters.map((letter) => {
    const l = DeadLetterRowSchema.parse(letter);
    const value = textOrBase64(l.value);
    return {
      failed_at: l.failedAt,
      source_topic: l.sourceTopic,
      source_partition: l.sourcePartition,
      source_offset: l.sourceOffset,
      consumer_group: l.consumerGroup,
      error_class: l.errorClass,
      reason: l.reason,
      message_key: l.key ? l.key.toString('utf8') : '',
      message_value: value.text,
      message_value_base64: value.base64,
    };
  });
  await warehouse.insertJsonEachRow('dead_letters', rows);
}

const CountRowSchema = z.object({ source_topic: z.string(), error_class: z.string(), n: z.coerce.number() });

/** Dead letters per source topic and error class, for health checks and the pipeline dashboard. */
export async function countDeadLetters(
  warehouse: Warehouse,
): Promise<{ sourceTopic: string; errorClass: string; count: number }[]> {
  const rows = await warehouse.query(
    `SELECT source_topic, error_class, count() AS n FROM dead_letters
     GROUP BY source_topic, error_class ORDER BY source_topic, error_class`,
    {},
    CountRowSchema,
  );
  return rows.map((r) => ({ sourceTopic: r.source_topic, errorClass: r.error_class, count: r.n }));
}
