import {
  createHash,
  randomBytes,
  scrypt as scryptCallback,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { statementSourceTypes, type StatementSourceType } from '@app/contracts';
import type { ReferenceIndex } from '@app/reference';
import { z } from 'zod';
import { CredentialConfigError } from './errors';
import { LruMap } from './lru-map';

/**
 * Scopes as xAPI 1.0.3 (Communication 4.2) names them, plus our own `registry/write`. `all` grants everything,
 * `all/read` every read scope, `statements/read` includes `statements/read/mine`.
 */
export const CREDENTIAL_SCOPES = [
  'statements/write',
  'statements/read',
  'statements/read/mine',
  'all/read',
  'all',
  // The document resources: State, and the Activity and Agent Profiles (Communication 4.2).
  'state',
  'profile',
  'registry/write',
  // Reading the dashboards in the browser (libs/viewer); `all` and `all/read` include it.
  'dashboards/read',
] as const;
export type CredentialScope = (typeof CREDENTIAL_SCOPES)[number];

export interface Credential {
  /** The Basic user name; also the authority account name and the `source.credentialKey` of messages. */
  readonly key: string;
  readonly sourceType: StatementSourceType;
  readonly scopes: readonly CredentialScope[];
  /** A classroom or kiosk credential belongs to one learning point. */
  readonly boundLearningPointId?: string;
  /** Shown as the authority's name. */
  readonly name?: string;
}

export function hasScope(credential: Credential, needed: CredentialScope): boolean {
  const granted = new Set(credential.scopes);
  if (granted.has('all') || granted.has(needed)) return true;
  const isRead = needed === 'statements/read' || needed === 'statements/read/mine';
  if (isRead && granted.has('all/read')) return true;
  return needed === 'statements/read/mine' && granted.has('statements/read');
}

// ---- secret hashing: scrypt$N$r$p$salt$hash (salt and hash in hex) ---------------------------------------

export interface ScryptParameters {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** 2^15 × 8: ~50–100 ms per hash on one core, 32 MiB memory. Slow on purpose. */
export const DEFAULT_SCRYPT_PARAMETERS: ScryptParameters = { N: 32768, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SECRET_HASH_PATTERN = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([0-9a-f]{16,})\$([0-9a-f]{32,})$/;

function scrypt(secret: string, salt: Buffer, length: number, params: ScryptParameters): Promise<Buffer> {
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.N * params.r * params.p,
  };
  return new Promise((resolve, reject) =>
    scryptCallback(secret, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Hashes a secret for the credentials file (a fresh random salt every time). */
export async function hashSecret(
  secret: string,
  params: ScryptParameters = DEFAULT_SCRYPT_PARAMETERS,
): Promise<string> {
  if (secret.length === 0) throw new CredentialConfigError('a secret must not be empty');
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, KEY_LENGTH, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('hex')}$${hash.toString('hex')}`;
}

export function isSecretHash(value: string): boolean {
  const match = SECRET_HASH_PATTERN.exec(value);
  if (!match) return false;
  const N = Number(match[1]);
  return N >= 2 && (N & (N - 1)) === 0 && Number(match[2]) > 0 && Number(match[3]) > 0;
}

/** Constant-time check of a secret against a `scrypt$…` hash. */
export async function verifySecret(secret: string, secretHash: string): Promise<boolean> {
  const match = SECRET_HASH_PATTERN.exec(secretHash);
  if (!match) throw new CredentialConfigError(`not a scrypt secret hash: ${secretHash.slice(0, 12)}…`);
  const expected = Buffer.from(match[5], 'hex');
  const params = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  const actual = await scrypt(secret, Buffer.from(match[4], 'hex'), expected.length, params);
  return timingSafeEqual(actual, expected);
}

// ---- the credentials file ------------------------------------------------------------------------------

export const credentialEntrySchema = z.strictObject({
  key: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^:\s]+$/, 'must not contain ":" or whitespace (it is the Basic user name)'),
  secretHash: z.string().refine(isSecretHash, {
    message: 'must be a scrypt hash scrypt$N$r$p$salt$hash (print one with apps/gateway/src/hash-secret.ts)',
  }),
  source: z.enum(statementSourceTypes),
  scopes: z.array(z.enum(CREDENTIAL_SCOPES)).min(1),
  boundLearningPointId: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
});
export type CredentialEntry = z.infer<typeof credentialEntrySchema>;

export const credentialsFileSchema = z.strictObject({
  credentials: z.array(credentialEntrySchema),
});
export type CredentialsFile = z.infer<typeof credentialsFileSchema>;

interface StoredCredential {
  readonly credential: Credential;
  readonly secretHash: string;
}

export interface CredentialStoreOptions {
  /** How long a successful verification is remembered (default 10 minutes). */
  readonly cacheTtlMs?: number;
  /** How many verified key:secret pairs are remembered (default 10,000). */
  readonly cacheCapacity?: number;
  /** Checks bound learning point ids. */
  readonly reference?: ReferenceIndex;
  readonly now?: () => number;
}

/**
 * The gateway's Basic credentials. Secrets exist only as scrypt hashes. Scrypt is slow by design, so a
 * successful verification is remembered (keyed by a SHA-256 of key:secret, never the secret itself) for a
 * while; failures are not remembered, so a corrected secret works at once. Concurrent first requests with
 * the same pair share one scrypt run.
 */
export class CredentialStore {
  private readonly byKey = new Map<string, StoredCredential>();
  private readonly verified: LruMap<string, { credential: Credential; expiresAt: number }>;
  private readonly inFlight = new Map<string, Promise<Credential | undefined>>();
  private readonly cacheTtlMs: number;
  private readonly now: () => number;
  /** Compared against for unknown keys so that an unknown key costs as much as a wrong secret. */
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly options: CredentialStoreOptions = {}) {
    this.verified = new LruMap(options.cacheCapacity ?? 10_000);
    this.cacheTtlMs = options.cacheTtlMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Reads and validates a credentials file (`{ "credentials": [ ... ] }`). */
  static async fromFile(path: string, options: CredentialStoreOptions = {}): Promise<CredentialStore> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new CredentialConfigError(
        `cannot read credentials file ${path}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new CredentialConfigError(
        `credentials file ${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const store = new CredentialStore(options);
    store.addAll(json, path);
    return store;
  }

  /** Adds the entries of a parsed credentials file; throws CredentialConfigError listing every problem. */
  addAll(json: unknown, origin = 'credentials'): void {
    const parsed = credentialsFileSchema.safeParse(json);
    if (!parsed.success) {
      throw new CredentialConfigError(
        `${origin} is invalid`,
        parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
      );
    }
    const problems: string[] = [];
    const seen = new Set<string>();
    parsed.data.credentials.forEach((entry, index) => {
      if (seen.has(entry.key) || this.byKey.has(entry.key))
        problems.push(`credentials.${index}.key: duplicate key ${entry.key}`);
      seen.add(entry.key);
      const problem = this.learningPointProblem(entry.boundLearningPointId);
      if (problem) problems.push(`credentials.${index}.boundLearningPointId: ${problem}`);
    });
    if (problems.length > 0) throw new CredentialConfigError(`${origin} is invalid`, problems);
    for (const entry of parsed.data.credentials) this.put(entry);
  }

  /** Adds one credential whose secret is given in clear (the bootstrap credential); hashes it first. */
  async addWithSecret(credential: Credential, secret: string, params?: ScryptParameters): Promise<void> {
    const secretHash = await hashSecret(secret, params);
    this.addAll({
      credentials: [
        {
          key: credential.key,
          secretHash,
          source: credential.sourceType,
          scopes: [...credential.scopes],
          boundLearningPointId: credential.boundLearningPointId,
          name: credential.name,
        },
      ],
    });
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The credential for this key and secret, or undefined when the pair is wrong. */
  async verify(key: string, secret: string): Promise<Credential | undefined> {
    const cacheKey = createHash('sha256').update(key).update('\0').update(secret).digest('base64');
    const cached = this.verified.get(cacheKey);
    if (cached && cached.expiresAt > this.now()) return cached.credential;
    if (cached) this.verified.delete(cacheKey);
    const running = this.inFlight.get(cacheKey);
    if (running) return running;
    const verification = this.verifyWithScrypt(key, secret).finally(() => this.inFlight.delete(cacheKey));
    this.inFlight.set(cacheKey, verification);
    const credential = await verification;
    if (credential) this.verified.set(cacheKey, { credential, expiresAt: this.now() + this.cacheTtlMs });
    return credential;
  }

  private async verifyWithScrypt(key: string, secret: string): Promise<Credential | undefined> {
    const stored = this.byKey.get(key);
    if (!stored) {
      this.dummyHash ??= hashSecret('unknown-key-placeholder');
      await verifySecret(secret, await this.dummyHash);
      return undefined;
    }
    return (await verifySecret(secret, stored.secretHash)) ? stored.credential : undefined;
  }

  private put(entry: CredentialEntry): void {
    const credential: Credential = {
      key: entry.key,
      sourceType: entry.source,
      scopes: entry.scopes,
      ...(entry.boundLearningPointId !== undefined && { boundLearningPointId: entry.boundLearningPointId }),
      ...(entry.name !== undefined && { name: entry.name }),
    };
    this.byKey.set(entry.key, { credential, secretHash: entry.secretHash });
  }

  private learningPointProblem(id: string | undefined): string | undefined {
    if (id === undefined || this.options.reference === undefined) return undefined;
    return this.options.reference.findLearningPoint(id) ? undefined : `unknown learning point ${id}`;
  }
}

/** `key:secret` from XAPI_BOOTSTRAP_CREDENTIAL (the secret may itself contain ':'). */
export function parseBootstrapCredential(value: string): { key: string; secret: string } {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) {
    throw new CredentialConfigError('XAPI_BOOTSTRAP_CREDENTIAL must be key:secret');
  }
  return { key: value.slice(0, colon), secret: value.slice(colon + 1) };
}
