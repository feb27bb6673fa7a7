import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CredentialStore,
  hasScope,
  hashSecret,
  isSecretHash,
  parseBootstrapCredential,
  verifySecret,
  type Credential,
} from './credentials';
import { CredentialConfigError } from './errors';
import { TEST_SCRYPT, testReference } from './testing/lrs-test-app';

describe('secret hashes', () => {
  it('are scrypt$N$r$p$salt$hash with a fresh salt each time, and verify only the right secret', async () => {
    const a = await hashSecret('s3cret', TEST_SCRYPT);
    const b = await hashSecret('s3cret', TEST_SCRYPT);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cret');
    expect(isSecretHash(a)).toBe(true);
    await expect(verifySecret('s3cret', a)).resolves.toBe(true);
    await expect(verifySecret('s3cret!', a)).resolves.toBe(false);
  });

  it('refuses malformed hashes and empty secrets', async () => {
    expect(isSecretHash('plain-text')).toBe(false);
    expect(isSecretHash('scrypt$1000$8$1$00112233445566778899aabbccddeeff$' + 'a'.repeat(64))).toBe(false);
    await expect(hashSecret('')).rejects.toThrow(CredentialConfigError);
  });
});

describe('scopes', () => {
  const credential = (scopes: Credential['scopes']): Credential => ({ key: 'k', sourceType: 'app', scopes });
  it('all grants everything; all/read and statements/read grant reading only', () => {
    expect(hasScope(credential(['all']), 'statements/write')).toBe(true);
    expect(hasScope(credential(['all/read']), 'statements/read')).toBe(true);
    expect(hasScope(credential(['all/read']), 'statements/write')).toBe(false);
    expect(hasScope(credential(['statements/read']), 'statements/read/mine')).toBe(true);
    expect(hasScope(credential(['statements/write']), 'statements/read')).toBe(false);
    expect(hasScope(credential(['statements/write']), 'registry/write')).toBe(false);
  });
});

describe('CredentialStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lrs-credentials-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a credentials file and verifies key and secret', async () => {
    const path = join(dir, 'credentials.json');
    const entry = {
      key: 'classroom-lp003',
      secretHash: await hashSecret('chalk', TEST_SCRYPT),
      source: 'classroom',
      scopes: ['statements/write'],
      boundLearningPointId: 'LP003',
    };
    writeFileSync(path, JSON.stringify({ credentials: [entry] }));
    const store = await CredentialStore.fromFile(path, { reference: await testReference() });
    await expect(store.verify('classroom-lp003', 'chalk')).resolves.toEqual({
      key: 'classroom-lp003',
      sourceType: 'classroom',
      scopes: ['statements/write'],
      boundLearningPointId: 'LP003',
    });
    await expect(store.verify('classroom-lp003', 'cheese')).resolves.toBeUndefined();
  });

  it('lists every problem of a bad file: clear-text secret, unknown scope, unknown point, duplicate key', async () => {
    const hash = await hashSecret('x', TEST_SCRYPT);
    const path = join(dir, 'bad.json');
    writeFileSync(
      path,
      JSON.stringify({
        credentials: [
          { key: 'a', secretHash: 'hunter2', source: 'portal', scopes: ['statements/write'] },
          { key: 'b', secretHash: hash, source: 'portal', scopes: ['everything'] },
        ],
      }),
    );
    const error = await CredentialStore.fromFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialConfigError);
    expect((error as CredentialConfigError).problems).toEqual([
      expect.stringMatching(/^credentials\.0\.secretHash: must be a scrypt hash/),
      expect.stringMatching(/^credentials\.1\.scopes\.0:/),
    ]);
    const store = new CredentialStore({ reference: await testReference() });
    expect(() =>
      store.addAll({
        credentials: [
          { key: 'c', secretHash: hash, source: 'kiosk', scopes: ['all'], boundLearningPointId: 'LP999' },
          { key: 'd', secretHash: hash, source: 'app', scopes: ['all'] },
          { key: 'd', secretHash: hash, source: 'app', scopes: ['all'] },
        ],
      }),
    ).toThrow(/LP999[\s\S]*duplicate key d/);
    expect(store.size).toBe(0);
  });

  it('remembers a successful verification (no second scrypt) but not a failure', async () => {
    let now = 0;
    const store = new CredentialStore({ cacheTtlMs: 1000, now: () => now });
    store.addAll({
      credentials: [
        { key: 'p', secretHash: await hashSecret('right', TEST_SCRYPT), source: 'portal', scopes: ['all'] },
      ],
    });
    const scryptRuns = jest.spyOn(
      store as unknown as { verifyWithScrypt: () => unknown },
      'verifyWithScrypt',
    );
    await store.verify('p', 'right');
    await store.verify('p', 'right');
    expect(scryptRuns).toHaveBeenCalledTimes(1);
    await store.verify('p', 'wrong');
    await store.verify('p', 'wrong');
    expect(scryptRuns).toHaveBeenCalledTimes(3);
    now = 1001;
    await store.verify('p', 'right');
    expect(scryptRuns).toHaveBeenCalledTimes(4);
  });

  it('adds the bootstrap credential from key:secret', async () => {
    expect(parseBootstrapCredential('admin:pa:ss')).toEqual({ key: 'admin', secret: 'pa:ss' });
    expect(() => parseBootstrapCredential('admin')).toThrow(CredentialConfigError);
    expect(() => parseBootstrapCredential(':x')).toThrow(CredentialConfigError);
    const store = new CredentialStore();
    await store.addWithSecret({ key: 'admin', sourceType: 'partner', scopes: ['all'] }, 'pa:ss', TEST_SCRYPT);
    await expect(store.verify('admin', 'pa:ss')).resolves.toMatchObject({ key: 'admin', scopes: ['all'] });
  });
});
