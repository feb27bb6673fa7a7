// Child process for the crash test: writes statements, reports them as acknowledged, then dies by
// SIGKILL without closing anything. Usage: node -r @swc-node/register chdb-ack-then-die.ts <dataDir> <count>
import { ChdbWarehouse } from '../chdb-warehouse';
import { runMigrations } from '../migration-runner';
import { StatementRowWriter } from '../statement-store';
import { statementRowFixture } from './statement-row.fixture';

async function main(): Promise<void> {
  const [dataDir, count] = process.argv.slice(2);
  const warehouse = new ChdbWarehouse(dataDir);
  await runMigrations(warehouse);
  const rows = Array.from({ length: Number(count) }, () => statementRowFixture());
  const result = await new StatementRowWriter(warehouse).insertBatch(rows);
  process.stdout.write(
    `${JSON.stringify({ acknowledged: result.inserted, ids: rows.map((r) => r.id) })}\n`,
    () => process.kill(process.pid, 'SIGKILL'),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
