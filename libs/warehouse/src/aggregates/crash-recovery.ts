import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Warehouse } from '../warehouse.port';
import { rebuildAggregates } from './rebuild';

export interface CrashRecovery {
  /** The previous process on this store did not stop cleanly, so the aggregates were rebuilt. */
  readonly rebuilt: boolean;
  /** Call after a clean stop (consumers stopped, warehouse about to close): the next start skips the rebuild. */
  markCleanStop(): void;
}

/**
 * An INSERT into `statements` writes its part and then the materialized views' parts; a process killed
 * between the two (the embedded engine dies with it) leaves statements that the aggregates never counted,
 * and redelivery cannot repair that, because the sink skips ids already stored. So a marker file lives
 * beside the store while a process writes to it; if it is still there at start, the last run did not stop
 * cleanly and the aggregates are recomputed from `statements` before anything is consumed.
 */
export async function recoverAggregatesAfterCrash(
  warehouse: Warehouse,
  markerFile: string,
  onRebuild?: (reason: string) => void,
): Promise<CrashRecovery> {
  const crashed = existsSync(markerFile);
  if (crashed) {
    onRebuild?.(`${markerFile} is still there: the last run did not stop cleanly`);
    await rebuildAggregates(warehouse);
  }
  mkdirSync(dirname(markerFile), { recursive: true });
  writeFileSync(markerFile, `pid ${process.pid} since ${new Date().toISOString()}\n`);
  return { rebuilt: crashed, markCleanStop: () => rmSync(markerFile, { force: true }) };
}
