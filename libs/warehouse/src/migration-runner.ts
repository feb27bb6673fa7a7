import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { z } from 'zod';

import { splitSqlStatements } from './sql-split';
import { MigrationChecksumError, MigrationFileError } from './warehouse-errors';
import type { Warehouse } from './warehouse.port';

export interface Migration {
  version: number;
  name: string;
  /** sha256 of the file text with line endings normalised, so a checkout on Windows does not "change" it. */
  checksum: string;
  statements: string[];
}

export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
  applied_at: string;
}

export interface MigrationReport {
  applied: Migration[];
  alreadyApplied: number;
}

/** The SQL files shipped with this library (copy src/migrations/*.sql next to the build output). */
export const DEFAULT_MIGRATIONS_DIR = path.join(__dirname, 'migrations');

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

export function parseMigration(fileName: string, sql: string): Migration {
  const match = FILE_NAME.exec(fileName);
  if (!match) {
    throw new MigrationFileError(`Migration file ${fileName} must be named NNNN_snake_case_name.sql`);
  }
  const statements = splitSqlStatements(sql);
  if (statements.length === 0) throw new MigrationFileError(`Migration file ${fileName} has no statements`);
  return { version: Number(match[1]), name: match[2], checksum: checksumOf(sql), statements };
}

/** Orders migrations by version and refuses reused version numbers. */
export function orderMigrations(migrations: readonly Migration[]): Migration[] {
  const byVersion = new Map<number, Migration>();
  for (const migration of migrations) {
    const other = byVersion.get(migration.version);
    if (other) {
      throw new MigrationFileError(
        `Migration version ${migration.version} is used twice: ${other.name} and ${migration.name}`,
      );
    }
    byVersion.set(migration.version, migration);
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

export function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((file) => file.endsWith('.sql'));
  return orderMigrations(
    files.map((file) => parseMigration(file, readFileSync(path.join(dir, file), 'utf8'))),
  );
}

// Created by the runner itself (not a migration) so that it can record the first migration.
const CREATE_SCHEMA_MIGRATIONS = `
CREATE TABLE IF NOT EXISTS schema_migrations
(
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY version
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1`;

const AppliedMigrationSchema = z.object({
  version: z.number().int(),
  name: z.string(),
  checksum: z.string(),
  applied_at_text: z.string(),
});

export async function readAppliedMigrations(warehouse: Warehouse): Promise<AppliedMigration[]> {
  await warehouse.command(CREATE_SCHEMA_MIGRATIONS);
  const rows = await warehouse.query(
    'SELECT version, name, checksum, toString(applied_at) AS applied_at_text FROM schema_migrations FINAL ORDER BY version',
    undefined,
    AppliedMigrationSchema,
  );
  return rows.map(({ applied_at_text, ...rest }) => ({ ...rest, applied_at: applied_at_text }));
}

/**
 * Applies pending migrations in version order and records each one after all its statements ran.
 * Refuses to start when an applied migration's file changed (checksum) or disappeared. A migration
 * interrupted half-way is re-run from its first statement, so statements are written idempotently
 * (IF NOT EXISTS). Not safe for two processes migrating one server at the same moment: run it from
 * one place (the sink's start-up, or a deploy step).
 */
export async function runMigrations(
  warehouse: Warehouse,
  migrations: readonly Migration[] = loadMigrations(),
): Promise<MigrationReport> {
  const ordered = orderMigrations(migrations);
  const applied = await readAppliedMigrations(warehouse);
  const known = new Map(ordered.map((migration) => [migration.version, migration]));
  for (const record of applied) {
    const migration = known.get(record.version);
    if (!migration) {
      throw new MigrationFileError(
        `Migration ${record.version}_${record.name} is recorded as applied but its file is missing`,
      );
    }
    if (migration.checksum !== record.checksum) {
      throw new MigrationChecksumError(
        `Migration ${record.version}_${record.name} was changed after it was applied on ${record.applied_at} ` +
          `(recorded checksum ${record.checksum}, file now ${migration.checksum}). ` +
          'Never edit an applied migration: add a new numbered file instead.',
      );
    }
  }
  const appliedVersions = new Set(applied.map((record) => record.version));
  const pending = ordered.filter((migration) => !appliedVersions.has(migration.version));
  for (const migration of pending) {
    for (const statement of migration.statements) await warehouse.command(statement);
    await warehouse.insertJsonEachRow('schema_migrations', [
      { version: migration.version, name: migration.name, checksum: migration.checksum },
    ]);
  }
  return { applied: pending, alreadyApplied: applied.length };
}
