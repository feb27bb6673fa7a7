import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { hashSecret, isSecretHash, verifySecret, type ScryptParameters } from '@app/lrs/credentials';
import { z } from 'zod';

import { ResearchConfigError } from './errors';

/**
 * Researcher scopes; a credential of the research API is separate from the partners' xAPI credentials
 * (its own file or variable, its own realm). `research/erasure` is the PIPL deletion of a learner.
 */
export const RESEARCH_SCOPES = [
  'research/metrics',
  'research/studies',
  'research/extracts',
  'research/audit',
  'research/erasure',
] as const;
export type ResearchScope = (typeof RESEARCH_SCOPES)[number];

export interface Researcher {
  readonly key: string;
  readonly name?: string;
  readonly scopes: readonly ResearchScope[];
}

export const researcherEntrySchema = z.strictObject({
  key: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^:\s]+$/, 'must not contain ":" or whitespace (it is the Basic user name)'),
  secretHash: z.string().refine(isSecretHash, { message: 'must be a scrypt hash scrypt$N$r$p$salt$hash' }),
  scopes: z.array(z.enum(RESEARCH_SCOPES)).min(1),
  name: z.string().min(1).optional(),
});

export const researchCredentialsFileSchema = z.strictObject({ researchers: z.array(researcherEntrySchema) });

interface Stored {
  readonly researcher: Researcher;
  readonly secretHash: string;
}

/**
 * The research API's Basic credentials: scrypt hashes only; a verified pair is remembered for a while
 * (keyed by a digest of key and secret), failures are not.
 */
export class ResearchCredentialStore {
  private readonly byKey = new Map<string, Stored>();
  private readonly verified = new Map<string, { researcher: Researcher; expiresAt: number }>();
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly cacheTtlMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  static async fromFile(path: string): Promise<ResearchCredentialStore> {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new ResearchConfigError(
        `cannot read research credentials ${path}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const store = new ResearchCredentialStore();
    store.addAll(json, path);
    return store;
  }

  addAll(json: unknown, origin = 'research credentials'): void {
    const parsed = researchCredentialsFileSchema.safeParse(json);
    if (!parsed.success)
      throw new ResearchConfigError(
        `${origin} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    for (const entry of parsed.data.researchers) {
      if (this.byKey.has(entry.key)) throw new ResearchConfigError(`${origin}: duplicate key ${entry.key}`);
      this.byKey.set(entry.key, {
        researcher: {
          key: entry.key,
          scopes: entry.scopes,
          ...(entry.name !== undefined && { name: entry.name }),
        },
        secretHash: entry.secretHash,
      });
    }
  }

  /** Adds a credential whose secret is given in clear (RESEARCH_BOOTSTRAP_CREDENTIAL). */
  async addWithSecret(researcher: Researcher, secret: string, params?: ScryptParameters): Promise<void> {
    this.addAll({
      researchers: [
        { key: researcher.key, secretHash: await hashSecret(secret, params), scopes: [...researcher.scopes] },
      ],
    });
  }

  get size(): number {
    return this.byKey.size;
  }

  async verify(key: string, secret: string): Promise<Researcher | undefined> {
    const cacheKey = createHash('sha256').update(key).update('\0').update(secret).digest('base64');
    const cached = this.verified.get(cacheKey);
    if (cached && cached.expiresAt > this.now()) return cached.researcher;
    this.verified.delete(cacheKey);
    const stored = this.byKey.get(key);
    if (!stored) {
      // As slow as a wrong secret, so unknown keys cannot be told apart by timing.
      this.dummyHash ??= hashSecret('unknown-key-placeholder');
      await verifySecret(secret, await this.dummyHash);
      return undefined;
    }
    if (!(await verifySecret(secret, stored.secretHash))) return undefined;
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(cacheKey, { researcher: stored.researcher, expiresAt: this.now() + this.cacheTtlMs });
    return stored.researcher;
  }
}

export function hasResearchScope(researcher: Researcher, scope: ResearchScope): boolean {
  return researcher.scopes.includes(scope);
}

/** `key:secret` (the secret may contain ':'). */
export function parseResearchBootstrapCredential(value: string): { key: string; secret: string } {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1)
    throw new ResearchConfigError('RESEARCH_BOOTSTRAP_CREDENTIAL must be key:secret');
  return { key: value.slice(0, colon), secret: value.slice(colon + 1) };
}
