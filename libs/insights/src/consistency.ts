import { readConsistentThrough, type Warehouse } from '@app/warehouse';

/**
 * Where an extract's cut comes from. Distributed mode: the sink's watermarks (every statement stored up to
 * the minimum over the partitions is in `statements`). Embedded mode (the in-process bus records no
 * watermarks): now minus a margin, since a statement stamped `stored` just now may still be on its way in.
 */
export type CutSource =
  | {
      readonly kind: 'watermarks';
      readonly consumerGroup: string;
      readonly topic: string;
      readonly partitions: number;
    }
  | { readonly kind: 'clock'; readonly marginMs: number; readonly now?: () => Date };

export function consistentThroughFrom(warehouse: Warehouse, source: CutSource): () => Promise<string | null> {
  if (source.kind === 'watermarks')
    return () => readConsistentThrough(warehouse, source.consumerGroup, source.topic, source.partitions);
  const now = source.now ?? (() => new Date());
  return async () => new Date(now().getTime() - source.marginMs).toISOString();
}
