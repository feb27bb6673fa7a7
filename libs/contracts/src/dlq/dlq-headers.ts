import { z } from 'zod';
import { ContractDecodeError } from '../errors';

/** Header names a dead letter carries next to the original message's own headers. */
export const DLQ_HEADERS = {
  reason: 'x-dlq-reason',
  errorClass: 'x-dlq-error-class',
  sourceTopic: 'x-dlq-source-topic',
  sourcePartition: 'x-dlq-source-partition',
  sourceOffset: 'x-dlq-source-offset',
  failedAt: 'x-dlq-failed-at',
  consumerGroup: 'x-dlq-consumer-group',
} as const;

const numericString = z.string().regex(/^\d+$/, 'must be a non-negative integer');

export const dlqMetadataSchema = z.object({
  reason: z.string().min(1),
  errorClass: z.string().min(1),
  sourceTopic: z.string().min(1),
  sourcePartition: numericString,
  sourceOffset: numericString,
  failedAt: z.iso.datetime({ offset: true }),
  consumerGroup: z.string().min(1),
});
export type DlqMetadata = z.infer<typeof dlqMetadataSchema>;

/** Kafka headers stay readable for an operator; a very long reason is cut so one record stays small. */
const MAX_REASON_LENGTH = 2000;

export function encodeDlqHeaders(metadata: DlqMetadata): Record<string, string> {
  const parsed = dlqMetadataSchema.safeParse(metadata);
  if (!parsed.success) throw ContractDecodeError.fromZod('dlq', 'headers', parsed.error);
  const headers: Record<string, string> = {};
  for (const [field, header] of Object.entries(DLQ_HEADERS) as [keyof DlqMetadata, string][]) {
    const value = parsed.data[field];
    headers[header] = field === 'reason' ? value.slice(0, MAX_REASON_LENGTH) : value;
  }
  return headers;
}

export type RawHeaders = Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;

/** Reads the `x-dlq-*` headers of a dead letter (kafkajs gives header values as Buffers). */
export function decodeDlqHeaders(headers: RawHeaders): DlqMetadata {
  const candidate: Record<string, string | undefined> = {};
  for (const [field, header] of Object.entries(DLQ_HEADERS)) {
    const raw = headers[header];
    const first = Array.isArray(raw) ? raw[0] : raw;
    candidate[field] = first === undefined ? undefined : first.toString();
  }
  const parsed = dlqMetadataSchema.safeParse(candidate);
  if (!parsed.success) throw ContractDecodeError.fromZod('dlq', 'headers', parsed.error);
  return parsed.data;
}
