import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegistryEntry, Simulation } from './types';

/**
 * A simulation as files, for demos without a running gateway or for loading by other tools:
 * `learners.csv` (the registry's CSV import format), `statements.ndjson` (one `{ source, learningPointId,
 * statement }` per line, timestamp order) and `sheets/<point>-<week>.csv` (attendance upload format).
 */
export async function writeSimulationFiles(sim: Simulation, dir: string): Promise<string[]> {
  await mkdir(join(dir, 'sheets'), { recursive: true });
  const written: string[] = [];
  const write = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text, 'utf8');
    written.push(path);
  };
  await write('learners.csv', learnersCsv(sim.learners));
  await write(
    'statements.ndjson',
    sim.statements
      .map((s) =>
        JSON.stringify({ source: s.source, learningPointId: s.learningPointId, statement: s.statement }),
      )
      .join('\n') + '\n',
  );
  for (const sheet of sim.classroomSheets) {
    await write(join('sheets', `${sheet.learningPointId}-${sheet.weekStart}.csv`), sheet.csv);
  }
  return written;
}

/** Registry entries in the columns of @app/enrichment importLearnersCsv (identities `;`-separated). */
export function learnersCsv(learners: readonly RegistryEntry[]): string {
  const lines = ['learner_id,identities,birth_year,gender,home_town_id,home_learning_point_id'];
  for (const l of learners) {
    lines.push(
      [l.id, l.identities.join(';'), l.birthYear, l.gender, l.homeTownId, l.homeLearningPointId ?? '']
        .map((cell) => quote(String(cell)))
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}
