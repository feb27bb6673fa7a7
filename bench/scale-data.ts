/**
 * Fills a warehouse with N simulated statements fast, for the dashboard benchmark at 10 and 100 million rows.
 *
 * The simulator (libs/simulator) builds real xAPI statements one by one and the enricher and sink map them:
 * faithful, but about 10,000 statements/s, so 100 million would take hours. Here ClickHouse makes the rows
 * itself, `INSERT INTO statements SELECT ... FROM numbers(offset, chunk)`, one million per INSERT, with
 * the district's shape in lookup arrays built from the reference data: learners live in towns weighted by
 * population (the west takes part at 0.45× the east's rate), classroom learners are older and learn at a
 * home learning point, online learners are younger and half of them have no home point (`unattributed`, as
 * the enricher records it), about 30 % of western points and a few eastern ones are silent, women are the
 * majority among the elderly, 5 % of learners are unregistered (no learner id: the views hash the actor).
 * Statements come in sessions of eight (one learner, day, place, channel and module per session: launched
 * or attended, experienced, answered, completed, then passed or failed by age band), over `days` local days
 * ending today, slightly more in recent months. Because these are ordinary INSERTs into `statements`, the
 * materialized views fill every aggregate table exactly as the sink's inserts do.
 *
 * Not in these rows: the real `raw` JSON (a short stand-in, about 200 bytes: the panels never read it).
 */
import { topics } from '@app/contracts';
import { AGE_BANDS, loadReferenceData, type ReferenceData } from '@app/reference';
import { loadReferenceDimensions, refreshViewsNow, runMigrations, type Warehouse } from '@app/warehouse';

export interface ScaleDataOptions {
  /** Statements to insert. */
  readonly statements: number;
  /** Local days the statements spread over, ending on `end`'s local day (default 365). */
  readonly days?: number;
  readonly end?: Date;
  /** Distinct learners (default N / 40, at most 300,000: about the district's adult learners). */
  readonly learners?: number;
  /** Rows per INSERT (default 1,000,000). */
  readonly chunkRows?: number;
  /** Called after every chunk. */
  readonly onChunk?: (progress: { inserted: number; total: number; elapsedMs: number }) => void;
}

export interface ScaleData {
  readonly statements: number;
  readonly learners: number;
  /** First instant of the first local day and last second of the last one. */
  readonly from: Date;
  readonly to: Date;
  readonly elapsedMs: number;
  readonly rowsPerSecond: number;
}

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const SESSION_LENGTH = 8;
const LUT_SIZE = 4096;
const POINT_LUT_SIZE = 64;

export function defaultLearners(statements: number): number {
  return Math.max(500, Math.min(300_000, Math.round(statements / 40)));
}

/** A lookup array of `size` entries in which each item appears in proportion to its weight. */
function weightedLut<T>(items: readonly T[], weight: (item: T) => number, size: number): T[] {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  const out: T[] = [];
  let cumulative = 0;
  for (const item of items) {
    cumulative += weight(item);
    while (out.length < Math.round((cumulative / total) * size)) out.push(item);
  }
  return out;
}

/** Deterministic [0, 1) from a string, for choosing silent points. */
function unitHash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

const sqlString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const sqlArray = (values: readonly (string | number)[]) =>
  `[${values.map((v) => (typeof v === 'number' ? String(v) : sqlString(v))).join(',')}]`;

/** Age bands by first channel, as the simulator draws them (libs/simulator district.ts). */
const AGE_SHARES: Record<'classroom' | 'portal' | 'mobile', Record<string, number>> = {
  classroom: { '18-29': 2, '30-44': 5, '45-59': 18, '60-69': 37, '70-79': 27, '80+': 11 },
  portal: { 'under-18': 3, '18-29': 18, '30-44': 30, '45-59': 27, '60-69': 15, '70-79': 6, '80+': 1 },
  mobile: { 'under-18': 4, '18-29': 26, '30-44': 33, '45-59': 22, '60-69': 11, '70-79': 4 },
};
const FEMALE_PER_MILLE: Record<string, number> = {
  'under-18': 510,
  '18-29': 510,
  '30-44': 510,
  '45-59': 560,
  '60-69': 620,
  '70-79': 660,
  '80+': 700,
};
const PASS_PER_MILLE: Record<string, number> = {
  'under-18': 850,
  '18-29': 850,
  '30-44': 800,
  '45-59': 700,
  '60-69': 600,
  '70-79': 480,
  '80+': 380,
};

/** The SELECT that makes rows `offset .. offset + count - 1`; exported for tests. */
export function scaleDataSelect(
  reference: ReferenceData,
  options: { offset: number; count: number; learners: number; from: Date; days: number },
): string {
  const towns = reference.towns;
  const townIndex = new Map(towns.map((t, i) => [t.id, i + 1]));
  const regionOf = (townId: string) => towns[(townIndex.get(townId) ?? 1) - 1].region;
  const points = reference.learningPoints;
  const silent = new Set(
    points
      .filter((p, i) => {
        const first = points.findIndex((q) => q.townId === p.townId) === i; // the school's main point
        const chance = regionOf(p.townId) === 'west' ? 0.3 : 0.04;
        return !first && unitHash(p.id) < chance;
      })
      .map((p) => p.id),
  );
  const pointIndex = new Map(points.map((p, i) => [p.id, i + 1]));
  const townLut = weightedLut(towns, (t) => t.population * (t.region === 'west' ? 0.45 : 1), LUT_SIZE).map(
    (t) => townIndex.get(t.id)!,
  );
  const pointLuts = towns.map((t) =>
    weightedLut(
      points.filter((p) => p.townId === t.id && !silent.has(p.id)),
      (p) => (p.demonstration ? 2.5 : 1) * (p.experimentalBase ? 1.8 : 1) * (p.smartCommunityPilot ? 1.5 : 1),
      POINT_LUT_SIZE,
    ).map((p) => pointIndex.get(p.id)!),
  );
  const ageLut = (channel: keyof typeof AGE_SHARES) =>
    sqlArray(weightedLut(Object.keys(AGE_SHARES[channel]), (b) => AGE_SHARES[channel][b], 1000));
  const bands = AGE_BANDS.map((b) => b.id);
  const verb = (category: string) =>
    reference.verbCategories.find((v) => v.category === category)?.verbIri ??
    `http://adlnet.gov/expapi/verbs/${category}`;
  const skills = reference.skills
    .filter((s) => s.courseId === 'computer-basics')
    .sort((a, b) => a.order - b.order);
  const fromSeconds = Math.floor(options.from.getTime() / 1000);

  // h(k): an independent 64-bit hash of the session (or learner) for each use k.
  return `
WITH
  ${sqlArray(towns.map((t) => t.id))} AS town_ids,
  ${sqlArray(towns.map((t) => t.region))} AS town_regions,
  ${sqlArray(townLut)} AS town_lut,
  [${pointLuts.map((lut) => sqlArray(lut)).join(',')}] AS point_luts,
  ${sqlArray(points.map((p) => p.id))} AS point_ids,
  ${sqlArray(points.map((p) => p.schoolId))} AS point_schools,
  ${sqlArray(points.map((p) => townIndex.get(p.townId)!))} AS point_towns,
  ${ageLut('classroom')} AS ages_classroom,
  ${ageLut('portal')} AS ages_portal,
  ${ageLut('mobile')} AS ages_mobile,
  ${sqlArray(bands)} AS bands,
  ${sqlArray(bands.map((b) => FEMALE_PER_MILLE[b] ?? 500))} AS female_per_mille,
  ${sqlArray(bands.map((b) => PASS_PER_MILLE[b] ?? 600))} AS pass_per_mille,
  ${sqlArray(skills.map((s) => s.id))} AS skills,
  ${sqlArray(skills.map((s) => s.activityIri))} AS skill_iris,
  ${sqlArray(['launched', 'experienced', 'experienced', 'answered', 'answered', 'experienced', 'completed', 'passed'].map(verb))} AS session_verbs,
  ${sqlArray(['launched', 'experienced', 'experienced', 'answered', 'answered', 'experienced', 'completed', 'passed'])} AS session_categories
SELECT
  generateUUIDv4(number) AS id,
  if(registered, concat('account:https://learn.jlp.cq.cn/learners|', learner_id_text),
    concat('mbox:mailto:visitor-', toString(learner), '@example.org')) AS actor_key,
  if(position = 0 AND offline, ${sqlString(verb('attended'))},
    if(position = 7 AND NOT passed, ${sqlString(verb('failed'))}, session_verbs[position + 1])) AS verb_id,
  if(on_skill, skill_iris[module], concat('https://learn.jlp.cq.cn/xapi/activities/lesson/', toString(session % 997))) AS object_id,
  'Activity' AS object_type,
  toDateTime64(${fromSeconds} + day * 86400 + second_of_day + position * 150, 6, 'UTC') AS timestamp,
  timestamp + toIntervalSecond(3) AS stored,
  NULL AS registration,
  false AS voided,
  NULL AS voiding_target,
  source,
  concat('simulated-', source) AS credential_key,
  if(registered, learner_id_text, '') AS learner_id,
  if(point = 0, 'unattributed', point_ids[point]) AS learning_point_id,
  if(point = 0, 'unattributed', point_schools[point]) AS school_id,
  if(point = 0, 'unattributed', town_ids[point_towns[point]]) AS town,
  if(point = 0, 'unknown', town_regions[point_towns[point]]) AS region,
  if(registered, band, 'unknown') AS age_band,
  if(registered, learner_gender, 'unknown') AS gender,
  if(registered, town_ids[home_town_index], 'unknown') AS home_town,
  if(on_skill, skills[module], 'unknown') AS skill,
  if(position = 0 AND offline, 'attended', if(position = 7 AND NOT passed, 'failed', session_categories[position + 1])) AS verb_category,
  if(cityHash64(number, 1) % 10 < 7, toFloat64(60 + cityHash64(number, 2) % 1740), NULL) AS duration_seconds,
  if(verb_category IN ('answered', 'passed', 'failed'),
    round(if(verb_category = 'failed', 0.2 + (cityHash64(number, 3) % 40) / 100, 0.6 + (cityHash64(number, 3) % 41) / 100), 2),
    NULL) AS score_scaled,
  multiIf(verb_category = 'passed', true, verb_category = 'failed', false, NULL) AS success,
  if(verb_category IN ('completed', 'passed'), true, NULL) AS completion,
  concat('{"id":"', toString(id), '","actor":{"account":{"name":"', learner_id_text,
    '"}},"verb":{"id":"', verb_id, '"},"object":{"id":"', object_id, '"},"timestamp":"', toString(timestamp), '"}') AS raw,
  timestamp + toIntervalSecond(3) AS row_version
FROM
(
  SELECT
    number,
    intDiv(number, ${SESSION_LENGTH}) AS session,
    number % ${SESSION_LENGTH} AS position,
    -- a few learners learn a lot, most a little
    toUInt64(floor(${options.learners} * pow((cityHash64(session, 10) % 1000000) / 1000000, 1.7))) AS learner,
    concat('L', leftPad(toString(learner + 1), 7, '0')) AS learner_id_text,
    cityHash64(learner, 20) % 100 >= 5 AS registered,
    town_lut[1 + cityHash64(learner, 21) % ${LUT_SIZE}] AS home_town_index,
    cityHash64(learner, 22) % 1000 < if(town_regions[home_town_index] = 'west', 600, 380) AS classroom_learner,
    multiIf(classroom_learner, 'classroom', cityHash64(learner, 23) % 100 < 40, 'portal',
      cityHash64(learner, 23) % 100 < 85, 'app', 'partner') AS channel,
    multiIf(channel = 'classroom', ages_classroom, channel = 'portal', ages_portal, ages_mobile)
      [1 + cityHash64(learner, 24) % 1000] AS band,
    multiIf(cityHash64(learner, 25) % 1000 < 6, 'unknown',
      cityHash64(learner, 26) % 1000 < female_per_mille[indexOf(bands, band)], 'female', 'male') AS learner_gender,
    -- classroom learners always have a home point; half of the online ones have none
    if(classroom_learner OR cityHash64(learner, 27) % 2 = 0,
      point_luts[home_town_index][1 + cityHash64(learner, 28) % ${POINT_LUT_SIZE}], 0) AS home_point,
    classroom_learner AND cityHash64(learner, 29) % 100 < 30 AS goes_online,
    multiIf(
      classroom_learner AND goes_online AND cityHash64(session, 11) % 100 < 35, if(cityHash64(learner, 30) % 2 = 0, 'portal', 'app'),
      classroom_learner, if(cityHash64(session, 11) % 100 < 10, 'kiosk', 'classroom'),
      cityHash64(session, 11) % 100 < 8, 'classroom',
      channel) AS source,
    source IN ('classroom', 'kiosk') AS offline,
    -- offline learning happens somewhere: the home point, or another point of the home town
    if(offline AND home_point = 0, point_luts[home_town_index][1 + cityHash64(session, 12) % ${POINT_LUT_SIZE}], home_point) AS point,
    -- recent months a little busier
    toUInt32(floor(${options.days} * pow((cityHash64(session, 13) % 1000000) / 1000000, 0.8))) AS day,
    -- local 08:00-20:00 (UTC+8)
    toUInt32(28800 + cityHash64(session, 14) % 43200) AS second_of_day,
    cityHash64(session, 15) % 100 < 70 AS on_skill,
    -- earlier modules more often
    toUInt8(1 + least(4, floor(5 * pow((cityHash64(session, 16) % 1000) / 1000, 1.4)))) AS module,
    cityHash64(session, 17) % 1000 < pass_per_mille[indexOf(bands, band)] AS passed
  FROM numbers(${options.offset}, ${options.count})
)`;
}

const COLUMNS = [
  'id',
  'actor_key',
  'verb_id',
  'object_id',
  'object_type',
  'timestamp',
  'stored',
  'registration',
  'voided',
  'voiding_target',
  'source',
  'credential_key',
  'learner_id',
  'learning_point_id',
  'school_id',
  'town',
  'region',
  'age_band',
  'gender',
  'home_town',
  'skill',
  'verb_category',
  'duration_seconds',
  'score_scaled',
  'success',
  'completion',
  'raw',
  'row_version',
];

/** Midnight (Asia/Shanghai) of the local day that contains `at`. */
function localMidnight(at: Date): Date {
  const local = at.getTime() + SHANGHAI_OFFSET_MS;
  return new Date(local - (local % DAY_MS) - SHANGHAI_OFFSET_MS);
}

/**
 * Migrates, loads the reference dimensions and inserts `statements` rows (in chunks) plus a few dead
 * letters and a sink watermark, so that every panel of every dashboard has data.
 */
export async function fillScaleData(wh: Warehouse, options: ScaleDataOptions): Promise<ScaleData> {
  const days = options.days ?? 365;
  const learners = options.learners ?? defaultLearners(options.statements);
  const chunkRows = options.chunkRows ?? 1_000_000;
  const end = options.end ?? new Date();
  const from = new Date(localMidnight(end).getTime() - (days - 1) * DAY_MS);
  const to = new Date(from.getTime() + days * DAY_MS - 1000);
  const reference = await loadReferenceData();
  await runMigrations(wh);
  await loadReferenceDimensions(wh, reference);

  const started = performance.now();
  for (let offset = 0; offset < options.statements; offset += chunkRows) {
    const count = Math.min(chunkRows, options.statements - offset);
    const select = scaleDataSelect(reference, { offset, count, learners, from, days });
    await wh.command(`INSERT INTO statements (${COLUMNS.join(', ')}) ${select}`);
    options.onChunk?.({
      inserted: offset + count,
      total: options.statements,
      elapsedMs: performance.now() - started,
    });
  }
  const elapsedMs = performance.now() - started;
  await refreshViewsNow(wh);

  await wh.insertJsonEachRow(
    'dead_letters',
    ['unknown-learning-point: LP999 is not a reference learning point', 'not an ISO 8601 duration'].map(
      (reason, index) => ({
        failed_at: new Date(end.getTime() - (index + 1) * 3_600_000).toISOString(),
        source_topic: topics.statementsReceived.name,
        source_partition: 0,
        source_offset: String(index),
        consumer_group: 'sink',
        error_class: index === 0 ? 'EnrichmentError' : 'StatementMappingError',
        reason,
        message_key: '',
        message_value: '{}',
      }),
    ),
  );
  await wh.insertJsonEachRow('sink_watermarks', [
    {
      consumer_group: 'sink',
      topic: topics.statementsEnriched.name,
      partition: 0,
      stored_through: to.toISOString(),
      kafka_offset: options.statements,
    },
  ]);
  return {
    statements: options.statements,
    learners,
    from,
    to,
    elapsedMs,
    rowsPerSecond: options.statements / (elapsedMs / 1000),
  };
}
