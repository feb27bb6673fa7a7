import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEARNER_CSV_COLUMNS, importLearnersCsv } from '@app/enrichment';
import { ReferenceIndex } from '@app/reference';
import { learnersCsv, writeSimulationFiles } from './files';
import { simulateDistrict } from './simulate';

describe('simulation files', () => {
  it('writes learners the registry CSV import accepts, statements as NDJSON and one file per sheet', async () => {
    const reference = await ReferenceIndex.load();
    const sim = simulateDistrict({
      seed: 'files',
      learners: 300,
      days: 21,
      start: new Date('2026-10-01T00:00:00+08:00'),
      reference,
    });
    const imported = importLearnersCsv(learnersCsv(sim.learners), reference);
    expect(imported.rejected).toEqual([]);
    expect(imported.accepted.map((a) => a.learner)).toEqual(
      sim.learners.map((l) => ({ ...l, identities: [...l.identities] })),
    );
    expect(learnersCsv([]).split('\r\n')[0]).toBe(LEARNER_CSV_COLUMNS.join(','));

    const dir = await mkdtemp(join(tmpdir(), 'simulator-'));
    try {
      await writeSimulationFiles(sim, dir);
      const lines = (await readFile(join(dir, 'statements.ndjson'), 'utf8')).trim().split('\n');
      expect(lines.map((line) => (JSON.parse(line) as { statement: { id: string } }).statement.id)).toEqual(
        sim.statements.map((s) => s.statement.id),
      );
      expect((await readdir(join(dir, 'sheets'))).length).toBe(sim.classroomSheets.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
