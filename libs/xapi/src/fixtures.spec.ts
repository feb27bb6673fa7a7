// Every file in test/fixtures/statements/ok must validate; every file in not-ok must fail with exactly the
// messages it declares. ok files are plain statements (`*.v2.json`: validated as xAPI 2.0); not-ok files are
// `{ description, expectedErrors, statement, version? }`.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { validateStatement } from './validate';
import { XAPI_VERSIONS } from './version';

const root = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'statements');

const notOkFixtureSchema = z.strictObject({
  description: z.string().min(1),
  version: z.enum(XAPI_VERSIONS).optional(),
  expectedErrors: z.array(z.string()).min(1),
  statement: z.unknown(),
});

function jsonFiles(dir: string): string[] {
  return readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

function read(dir: string, file: string): unknown {
  return JSON.parse(readFileSync(join(root, dir, file), 'utf8'));
}

describe('statement fixtures', () => {
  it('has fixtures in both folders', () => {
    expect(jsonFiles('ok').length).toBeGreaterThanOrEqual(10);
    expect(jsonFiles('not-ok').length).toBeGreaterThanOrEqual(10);
  });

  describe.each(jsonFiles('ok'))('ok/%s', (file) => {
    it('is accepted', () => {
      const version = file.endsWith('.v2.json') ? '2.0.0' : '1.0.3';
      const result = validateStatement(read('ok', file), { version });
      expect(result.ok ? [] : result.errors.map((e) => e.message)).toEqual([]);
    });
  });

  describe.each(jsonFiles('not-ok'))('not-ok/%s', (file) => {
    it('is rejected with the declared messages', () => {
      const fixture = notOkFixtureSchema.parse(read('not-ok', file));
      const result = validateStatement(fixture.statement, { version: fixture.version ?? '1.0.3' });
      expect(result.ok ? [] : result.errors.map((e) => e.message)).toEqual(fixture.expectedErrors);
    });
  });
});
