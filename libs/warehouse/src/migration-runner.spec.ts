import { checksumOf, loadMigrations, orderMigrations, parseMigration } from './migration-runner';
import { MigrationFileError } from './warehouse-errors';

describe('migration files', () => {
  it('loads the shipped migrations in order, each with statements', () => {
    const migrations = loadMigrations();
    // Numbered 1..N without gaps, so a reviewer sees at once where a new one goes.
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(migrations.slice(0, 2).map((m) => m.name)).toEqual(['statements', 'sink_watermarks']);
    expect(migrations.every((m) => m.statements.length > 0)).toBe(true);
    expect(
      migrations[0].statements.some((sql) => sql.includes('CREATE TABLE IF NOT EXISTS statements')),
    ).toBe(true);
  });

  it('refuses a reused version number', () => {
    const a = parseMigration('0003_a.sql', 'SELECT 1;');
    const b = parseMigration('0003_b.sql', 'SELECT 2;');
    expect(() => orderMigrations([a, b])).toThrow(MigrationFileError);
    expect(() => orderMigrations([a, b])).toThrow(/version 3 is used twice: a and b/);
  });

  it('refuses badly named and empty files', () => {
    expect(() => parseMigration('3_a.sql', 'SELECT 1')).toThrow(/NNNN_snake_case_name/);
    expect(() => parseMigration('0003_empty.sql', '-- nothing here;\n')).toThrow(/no statements/);
  });

  it('checksums ignore line-ending style but not content', () => {
    expect(checksumOf('SELECT 1;\r\nSELECT 2;')).toBe(checksumOf('SELECT 1;\nSELECT 2;'));
    expect(checksumOf('SELECT 1;')).not.toBe(checksumOf('SELECT 2;'));
  });
});
