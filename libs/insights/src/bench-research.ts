// Timing of the research API's queries on a synthetic district (chdb):
//   node -r @swc-node/register libs/insights/src/bench-research.ts [statements] [learners]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ChdbWarehouse, runMigrations } from '@app/warehouse';

import { parseMetricQuery, runMetric } from './metrics';
import { StudyService } from './studies';

async function main(): Promise<void> {
  const statements = Number(process.argv[2] ?? 300_000);
  const learnerCount = Number(process.argv[3] ?? 5_000);
  const dir = mkdtempSync(join(tmpdir(), 'bench-research-'));
  const warehouse = new ChdbWarehouse(join(dir, 'clickhouse'));
  try {
    await runMigrations(warehouse);
    // Generated in the engine: 60 days of March-April 2024, 19 towns, 176 points, 6 age bands, 3 genders.
    await warehouse.command(
      `INSERT INTO statements (id, actor_key, verb_id, object_id, object_type, timestamp, stored, registration,
         voided, voiding_target, source, credential_key, learner_id, learning_point_id, town, region, age_band,
         gender, home_town, skill, verb_category, duration_seconds, score_scaled, success, completion, raw)
       SELECT generateUUIDv4(number), concat('mbox:mailto:l', toString(l), '@example.cn'),
         'http://adlnet.gov/expapi/verbs/completed', 'https://learn.jlp.cq.cn/a', 'Activity',
         toDateTime64('2024-03-01 00:00:00', 6, 'UTC') + toIntervalSecond((number * 7919) % (60 * 86400)),
         toDateTime64('2024-03-01 00:00:01', 6, 'UTC') + toIntervalSecond((number * 7919) % (60 * 86400)),
         NULL, false, NULL, ['portal', 'app', 'classroom', 'kiosk'][1 + l % 4], 'c',
         concat('L', leftPad(toString(l), 6, '0')), concat('LP', leftPad(toString(1 + l % 176), 3, '0')),
         concat('T', leftPad(toString(1 + l % 19), 2, '0')), if(l % 19 < 9, 'west', 'east'),
         ['50-59', '60-69', '70-79', '80+', '40-49', '30-39'][1 + intDiv(l, 19) % 6],
         ['female', 'male', 'other'][1 + intDiv(l, 7) % 3], concat('T', leftPad(toString(1 + l % 19), 2, '0')),
         ['chinese-input', 'smartphone', 'unknown'][1 + number % 3], 'completed', 600, 0.8, true, true, '{}'
       FROM (SELECT number, cityHash64(number) % {learners:UInt64} AS l FROM numbers({n:UInt64}))`,
      { n: statements, learners: learnerCount },
    );
    const time = async (label: string, work: () => Promise<number>) => {
      const times: number[] = [];
      let size = 0;
      for (let i = 0; i < 3; i += 1) {
        const start = performance.now();
        size = await work();
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      console.log(`${label.padEnd(52)} median ${times[1].toFixed(0).padStart(6)} ms  (${size} cells/rows)`);
    };
    const metric = (metricName: 'engagement' | 'skills', query: Record<string, string>) => async () => {
      const result = await runMetric(warehouse, metricName, parseMetricQuery(query), 10, '2024-04-30');
      return result.cells.length;
    };
    console.log(`${statements} statements, ${learnerCount} learners`);
    await time(
      'engagement by town, month',
      metric('engagement', { from: '2024-03-01', to: '2024-04-30', groupBy: 'town' }),
    );
    await time(
      'engagement by town × gender × age band, month',
      metric('engagement', { from: '2024-03-01', to: '2024-04-30', groupBy: 'town,gender,age_band' }),
    );
    await time(
      'engagement by town, day',
      metric('engagement', { from: '2024-03-01', to: '2024-04-30', groupBy: 'town', period: 'day' }),
    );
    await time(
      'engagement by town × gender, week',
      metric('engagement', { from: '2024-03-01', to: '2024-04-30', groupBy: 'town,gender', period: 'week' }),
    );
    await time(
      'skills by skill × region, month',
      metric('skills', { from: '2024-03-01', to: '2024-04-30', groupBy: 'skill,region' }),
    );
    const studies = new StudyService({
      warehouse,
      consistentThrough: async () => '2024-05-01T00:00:00.000000Z',
    });
    const study = await studies.createStudy(
      {
        title: 'bench',
        purpose: 'bench',
        approvedFields: ['day', 'town', 'age_band', 'gender', 'score_scaled'],
        window: { from: '2024-03-01', to: '2024-04-30' },
      },
      'bench',
    );
    for (const format of ['csv', 'parquet'] as const) {
      await time(`extract ${format} (whole window)`, async () => {
        const data = await studies.createExtract(study.studyId, { format }, 'bench');
        return data.extract.rowCount;
      });
    }
  } finally {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
