import type { ConsumedMessage } from '@app/bus';
import { topics, type EnrichedStatementValue, type StatementSource } from '@app/contracts';
import { LearnerDirectory, enrichStatement, stampLearner } from '@app/enrichment';
import { toStatementRow } from '@app/pipeline';
import { ReferenceIndex, loadReferenceData } from '@app/reference';
import { simulateDistrict } from '@app/simulator';
import {
  loadReferenceDimensions,
  refreshViewsNow,
  runMigrations,
  type JsonRow,
  type Warehouse,
} from '@app/warehouse';
import { actorKey, type Actor } from '@app/xapi';

export interface SimulatedMonthOptions {
  readonly learners: number;
  readonly days: number;
  /** The simulation ends on this instant's local day (Asia/Shanghai). */
  readonly end: Date;
  readonly seed?: string;
  readonly batchRows?: number;
}

export interface SimulatedMonth {
  readonly statements: number;
  readonly deadLetters: number;
  /** First instant of the first simulated local day. */
  readonly from: Date;
  /** Last instant of the last simulated local day. */
  readonly to: Date;
}

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** Midnight (Asia/Shanghai) of the local day that contains `at`. */
export function localMidnight(at: Date): Date {
  const local = at.getTime() + SHANGHAI_OFFSET_MS;
  return new Date(local - (local % DAY_MS) - SHANGHAI_OFFSET_MS);
}

/**
 * Fills a migrated warehouse the way the pipeline would: reference dimensions, then a simulated district's
 * statements enriched by the real enricher logic and mapped by the real sink mapper, inserted in batches
 * (the materialized views fill the aggregates), plus a few dead letters and a sink watermark so the
 * pipeline-health panels have something to show. Paper sheets are not uploaded (they need the gateway).
 */
export async function loadSimulatedMonth(
  wh: Warehouse,
  options: SimulatedMonthOptions,
): Promise<SimulatedMonth> {
  await runMigrations(wh);
  await loadReferenceDimensions(wh, await loadReferenceData());
  const reference = await ReferenceIndex.load();
  const from = new Date(localMidnight(options.end).getTime() - (options.days - 1) * DAY_MS);
  const to = new Date(from.getTime() + options.days * DAY_MS - 1000);
  const sim = simulateDistrict({
    seed: options.seed ?? 'dashboards',
    learners: options.learners,
    days: options.days,
    start: from,
    reference,
  });
  const learners = LearnerDirectory.from(
    sim.learners.map((entry, index) =>
      stampLearner({ ...entry, identities: [...entry.identities] }, index + 1, from),
    ),
  );

  const batchRows = options.batchRows ?? 20_000;
  let batch: JsonRow[] = [];
  let offset = 0;
  let lastStored = from;
  for (const routed of sim.statements) {
    const key = actorKey(routed.statement.actor as Actor);
    const source: StatementSource = {
      type: routed.source,
      credentialKey: `simulated-${routed.source}`,
      ...(routed.learningPointId !== null && routed.source === 'classroom'
        ? { boundLearningPointId: routed.learningPointId }
        : {}),
    };
    // Stored a few seconds after it happened, as a live upload would be.
    const stored = new Date(routed.at + 3000);
    lastStored = stored;
    const statement = { ...routed.statement, stored: stored.toISOString() } as Record<string, unknown>;
    const enrichment = enrichStatement(
      { statement: routed.statement, actorKey: key, source },
      { reference, learners },
    );
    const message: ConsumedMessage<EnrichedStatementValue> = {
      topic: topics.statementsEnriched.name,
      partition: 0,
      offset: String(offset++),
      key,
      value: { statement, receivedAt: stored.toISOString(), source, requestId: 'simulated', enrichment },
      headers: {},
      timestamp: String(stored.getTime()),
      raw: { key: null, value: null, headers: {} },
    };
    batch.push(toStatementRow(message) as JsonRow);
    if (batch.length >= batchRows) {
      await wh.insertJsonEachRow('statements', batch);
      batch = [];
    }
  }
  if (batch.length > 0) await wh.insertJsonEachRow('statements', batch);
  // The skill panels read skill_cohort, which a view refreshes every minute: refresh it now.
  await refreshViewsNow(wh);

  const deadLetters = [
    [
      topics.statementsReceived.name,
      'EnrichmentError',
      'unknown-learning-point: LP999 is not a reference learning point',
    ],
    [
      topics.statementsReceived.name,
      'EnrichmentError',
      'unknown-learning-point: LP999 is not a reference learning point',
    ],
    [
      topics.statementsEnriched.name,
      'StatementMappingError',
      'statement.result.duration: not an ISO 8601 duration',
    ],
  ].map(([topic, errorClass, reason], index) => ({
    failed_at: new Date(to.getTime() - (index + 1) * 3_600_000).toISOString(),
    source_topic: topic,
    source_partition: 0,
    source_offset: String(index),
    consumer_group: 'sink',
    error_class: errorClass,
    reason,
    message_key: '',
    message_value: '{}',
  }));
  await wh.insertJsonEachRow('dead_letters', deadLetters);
  await wh.insertJsonEachRow('sink_watermarks', [
    {
      consumer_group: 'sink',
      topic: topics.statementsEnriched.name,
      partition: 0,
      stored_through: lastStored.toISOString(),
      kafka_offset: offset - 1,
    },
  ]);
  return { statements: offset, deadLetters: deadLetters.length, from, to };
}
