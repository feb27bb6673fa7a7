import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAttachments, storeAttachments } from './attachment-store';
import { ChdbWarehouse } from './chdb-warehouse';
import { runMigrations } from './migration-runner';
import { WarehouseDataError } from './warehouse-errors';

function attachment(content: Buffer, algorithm = 'sha256', contentType = 'application/octet-stream') {
  return { sha2: createHash(algorithm).update(content).digest('hex'), contentType, content };
}

describe('attachments (content-addressed attachment data)', () => {
  let dir: string;
  let warehouse: ChdbWarehouse;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attachments-'));
    warehouse = new ChdbWarehouse(dir);
    await runMigrations(warehouse);
  });
  afterAll(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores binary octets byte for byte and loads them by sha2 in any case', async () => {
    const binary = attachment(
      Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x80, 0x22, 0x5c]),
      'sha256',
      'image/png',
    );
    const text = attachment(
      Buffer.from('here is a simple attachment'),
      'sha512',
      'text/plain; charset=ascii',
    );
    await storeAttachments(warehouse, [binary, text]);
    const found = await loadAttachments(warehouse, [binary.sha2.toUpperCase(), text.sha2, 'ab'.repeat(32)]);
    expect([...found.keys()].sort()).toEqual([binary.sha2, text.sha2].sort());
    expect(found.get(binary.sha2)).toEqual(binary);
    expect(found.get(text.sha2)).toEqual(text);
  });

  it('keeps one row when the same data is stored twice', async () => {
    const data = attachment(randomBytes(4096));
    await storeAttachments(warehouse, [data, data]);
    await storeAttachments(warehouse, [data]);
    const found = await loadAttachments(warehouse, [data.sha2]);
    expect(found.get(data.sha2)?.content.equals(data.content)).toBe(true);
    const rows = await warehouse.query('SELECT count() AS n FROM attachments FINAL WHERE sha2 = {s:String}', {
      s: data.sha2,
    });
    expect(rows).toEqual([{ n: '1' }]);
  });

  it('keeps a large attachment intact (length column and content)', async () => {
    const data = attachment(randomBytes(3 * 1024 * 1024), 'sha384');
    await storeAttachments(warehouse, [data]);
    expect((await loadAttachments(warehouse, [data.sha2])).get(data.sha2)?.content.equals(data.content)).toBe(
      true,
    );
    const [row] = await warehouse.query(
      'SELECT length, length(content) AS n FROM attachments WHERE sha2 = {s:String} LIMIT 1',
      {
        s: data.sha2,
      },
    );
    expect(row).toEqual({ length: String(data.content.length), n: String(data.content.length) });
  });

  it('refuses content that does not hash to its sha2 and stores nothing of that call', async () => {
    const good = attachment(Buffer.from('good'));
    const bad = { ...attachment(Buffer.from('one')), content: Buffer.from('two') };
    await expect(storeAttachments(warehouse, [good, bad])).rejects.toThrow(WarehouseDataError);
    expect((await loadAttachments(warehouse, [good.sha2, bad.sha2])).size).toBe(0);
  });
});
