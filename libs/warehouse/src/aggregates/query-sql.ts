import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { assertSingleStatement } from '../warehouse.port';

/** The .sql files of the aggregate queries (copy src/aggregates/sql/*.sql next to the build output). */
export const AGGREGATE_SQL_DIR = path.join(__dirname, 'sql');

/**
 * Reads one query of aggregates/sql. The SQL lives in files so that it can be read, diffed and run as
 * is (clickhouse-client, Grafana), with `{name:Type}` placeholders bound by the caller.
 */
export function readAggregateSql(name: string): string {
  return assertSingleStatement(readFileSync(path.join(AGGREGATE_SQL_DIR, `${name}.sql`), 'utf8'));
}
